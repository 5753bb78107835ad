/**
 * Throwaway PostgreSQL and Redis servers for n8n's queue mode, from Debian's packages
 * (scripts/install-queue-services.sh installs them): each on a free loopback port, with its data in a temp folder
 * that `stop()` removes. PostgreSQL refuses to run as root, so as root it runs as the `postgres` user.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

import { freePort } from './ports';
import { REPO_ROOT } from './runtime';
import { run, spawnTracked, stopChild, tail, waitUntilReady } from './proc';

export interface RunningService {
	readonly port: number;
	stop(): Promise<void>;
}

/** Installs PostgreSQL and Redis with apt-get when missing (the script is idempotent and quiet when all is there). */
export async function ensureQueueServicesInstalled(): Promise<void> {
	const result = await run('bash', [join(REPO_ROOT, 'scripts', 'install-queue-services.sh')], { timeoutMs: 15 * 60_000 });
	if (result.code !== 0) throw new Error(`installing PostgreSQL and Redis failed:\n${tail(result.stdout + result.stderr)}`);
}

function postgresBinDir(): string {
	const root = '/usr/lib/postgresql';
	const versions = existsSync(root) ? readdirSync(root).filter((name) => existsSync(join(root, name, 'bin', 'initdb'))) : [];
	if (versions.length === 0) throw new Error('PostgreSQL is not installed: run scripts/install-queue-services.sh');
	return join(root, versions.sort((a, b) => Number(b) - Number(a))[0], 'bin');
}

/** As root, the command runs as the `postgres` user. */
function asPostgresUser(command: string, args: string[]): [string, string[]] {
	return userInfo().uid === 0 ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
}

function collect(child: ChildProcess): () => string {
	let text = '';
	const add = (chunk: Buffer) => {
		text = (text + chunk.toString('utf8')).slice(-20_000);
	};
	child.stdout?.on('data', add);
	child.stderr?.on('data', add);
	return () => text;
}

/** A PostgreSQL server with an empty database `database`, user `postgres`, no password (trust on loopback). */
export async function startPostgres(database = 'n8n'): Promise<RunningService & { database: string; user: string }> {
	const bin = postgresBinDir();
	const dataDir = await mkdtemp(join(tmpdir(), 'n8n-queue-postgres-'));
	if (userInfo().uid === 0) {
		const { uid, gid } = await postgresIds();
		await chown(dataDir, uid, gid);
	}
	const [initCommand, initArgs] = asPostgresUser(join(bin, 'initdb'), ['-D', dataDir, '--auth=trust', '-U', 'postgres', '-E', 'UTF8']);
	const init = await run(initCommand, initArgs, { timeoutMs: 120_000 });
	if (init.code !== 0) throw new Error(`initdb failed:\n${tail(init.stdout + init.stderr)}`);

	const port = await freePort();
	const settings = ['-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'max_connections=200'];
	const [command, args] = asPostgresUser(join(bin, 'postgres'), ['-D', dataDir, '-p', String(port), '-k', dataDir, ...settings]);
	const child = spawnTracked(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
	const output = collect(child);
	const ready = async () => (await run(join(bin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port)], { timeoutMs: 10_000 })).code === 0;
	await waitUntilReady('PostgreSQL', child, output, ready, 60_000);
	const created = await run(join(bin, 'createdb'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', database], { timeoutMs: 30_000 });
	if (created.code !== 0) throw new Error(`createdb failed:\n${tail(created.stdout + created.stderr)}`);
	return {
		port,
		database,
		user: 'postgres',
		async stop() {
			await stopChild(child, 10_000);
			await rm(dataDir, { recursive: true, force: true });
		},
	};
}

async function postgresIds(): Promise<{ uid: number; gid: number }> {
	const result = await run('id', ['postgres'], { timeoutMs: 10_000 });
	const uid = /uid=(\d+)/.exec(result.stdout)?.[1];
	const gid = /gid=(\d+)/.exec(result.stdout)?.[1];
	if (!uid || !gid) throw new Error('no `postgres` user: is PostgreSQL installed from Debian packages?');
	return { uid: Number(uid), gid: Number(gid) };
}

/** A Redis server that keeps nothing on disk. */
export async function startRedis(): Promise<RunningService> {
	const port = await freePort();
	const dir = await mkdtemp(join(tmpdir(), 'n8n-queue-redis-'));
	const child = spawnTracked('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	const output = collect(child);
	await waitUntilReady('Redis', child, output, () => /Ready to accept connections/.test(output()), 60_000);
	return {
		port,
		async stop() {
			await stopChild(child, 5000);
			await rm(dir, { recursive: true, force: true });
		},
	};
}

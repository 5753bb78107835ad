/**
 * One n8n "installation": a private N8N_USER_FOLDER (sqlite DB, encryption key, installed community packages)
 * and the CLI commands run against it with the provisioned Node 24 + n8n.
 *
 *   const runtime = await provision();
 *   const n8n = await N8nInstance.create({ runtime });
 *   await n8n.installTarball((await packPackage(tmp)).tarball);
 *   await n8n.importCredentials([credential]);
 *   await n8n.importWorkflows([workflow]);
 *   const { run } = await n8n.execute(workflow.id);
 *   const server = await n8n.start({ port: 5678 });  …  await server.stop();
 *   await n8n.dispose();
 *
 * Every n8n command is a separate boot of n8n (about 5-9 s here): batch imports, and don't run two commands of one
 * instance at the same time (one sqlite DB; `n8n start` and `n8n execute` would also fight over it).
 */
import { randomUUID } from 'node:crypto';
import { chmod, cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installTarball, type InstalledPackage } from './package';
import { freePort } from './ports';
import { redact, run, tail, type RunResult } from './proc';
import { parseRunOutput, summarizeRun, type N8nRun } from './run-output';
import type { N8nRuntime } from './runtime';
import type { N8nHost } from './n8nProcess';
import { N8nServer, type StartServerOptions } from './server';
import type { CredentialJson, WorkflowJson } from './workflows';

/** Fixed so that an instance's credentials stay readable across runs (test data only, never a real secret). */
export const E2E_ENCRYPTION_KEY = 'n8n-nodes-stripe-customer-balance-e2e-key-0001';

export interface N8nInstanceOptions {
	runtime: N8nRuntime;
	/** Use this folder as N8N_USER_FOLDER (kept on dispose). Default: a fresh temp folder (removed on dispose). */
	userFolder?: string;
	/** Keep the temp folder on dispose (for debugging). */
	keep?: boolean;
	encryptionKey?: string;
	/** Extra environment for every n8n command (N8N_LOG_LEVEL, …). */
	env?: Record<string, string>;
}

export interface CliOptions {
	timeoutMs?: number;
	env?: Record<string, string>;
	onOutputLine?: (line: string) => void;
}

export interface ExecuteResult {
	run: N8nRun;
	/** status 'success' and no workflow-level error (items that failed under On Error: continue don't count). */
	ok: boolean;
	exitCode: number | null;
	durationMs: number;
	/** Everything n8n printed, secrets masked. */
	output: string;
}

// Passed through to n8n from our environment; everything else (NODE_ENV=test from jest, NODE_OPTIONS from tsx,
// stray N8N_* / DB_* settings) stays out. n8n refuses to load nodes when NODE_ENV is 'test'.
const PASS_THROUGH = [
	'HOME',
	'USER',
	'LOGNAME',
	'LANG',
	'LC_ALL',
	'LC_CTYPE',
	'TZ',
	'TMPDIR',
	'TERM',
	'NODE_EXTRA_CA_CERTS',
	'HTTP_PROXY',
	'HTTPS_PROXY',
	'http_proxy',
	'https_proxy',
	'NO_PROXY',
	'no_proxy',
];

export class N8nInstance implements N8nHost {
	readonly runtime: N8nRuntime;
	readonly userFolder: string;
	private readonly removeOnDispose: boolean;
	private readonly encryptionKey: string;
	private readonly extraEnv: Record<string, string>;
	private readonly servers = new Set<N8nServer>();

	private constructor(options: N8nInstanceOptions, userFolder: string, removeOnDispose: boolean) {
		this.runtime = options.runtime;
		this.userFolder = userFolder;
		this.removeOnDispose = removeOnDispose;
		this.encryptionKey = options.encryptionKey ?? E2E_ENCRYPTION_KEY;
		this.extraEnv = options.env ?? {};
	}

	static async create(options: N8nInstanceOptions): Promise<N8nInstance> {
		let userFolder = options.userFolder;
		let remove = false;
		if (userFolder) {
			await mkdir(userFolder, { recursive: true });
		} else {
			userFolder = await mkdtemp(join(tmpdir(), 'n8n-user-'));
			remove = !options.keep;
		}
		return new N8nInstance(options, userFolder, remove);
	}

	/** <userFolder>/.tmp: TMPDIR of the n8n processes. */
	get tmpDir(): string {
		return join(this.userFolder, '.tmp');
	}

	/** The environment of an n8n command of this instance (a fresh task-runner broker port each time). */
	async env(extra: Record<string, string> = {}): Promise<NodeJS.ProcessEnv> {
		await mkdir(this.tmpDir, { recursive: true });
		const env: NodeJS.ProcessEnv = {};
		for (const key of PASS_THROUGH) if (process.env[key] !== undefined) env[key] = process.env[key];
		if (env.HTTP_PROXY || env.HTTPS_PROXY || env.http_proxy || env.https_proxy) {
			// the sandbox is on loopback: never send it through a proxy
			const noProxy = [env.NO_PROXY ?? env.no_proxy, '127.0.0.1', 'localhost', '::1'].filter(Boolean).join(',');
			env.NO_PROXY = noProxy;
			env.no_proxy = noProxy;
		}
		Object.assign(env, {
			// n8n's children (task runner, npm) must get Node 24 too
			PATH: `${this.runtime.nodeBinDir}:${process.env.PATH ?? '/usr/bin:/bin'}`,
			NODE_ENV: 'production',
			N8N_USER_FOLDER: this.userFolder,
			// n8n's temp files (data table uploads, …) stay inside the instance, not in the shared /tmp
			TMPDIR: this.tmpDir,
			N8N_ENCRYPTION_KEY: this.encryptionKey,
			DB_TYPE: 'sqlite',
			// no telemetry, no calls home (this machine has no internet anyway; these keep the logs quiet and boots fast)
			N8N_DIAGNOSTICS_ENABLED: 'false',
			N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
			N8N_VERSION_NOTIFICATIONS_WHATS_NEW_ENABLED: 'false',
			N8N_TEMPLATES_ENABLED: 'false',
			N8N_PERSONALIZATION_ENABLED: 'false',
			N8N_HIRING_BANNER_ENABLED: 'false',
			N8N_LICENSE_AUTO_RENEW_ENABLED: 'false',
			N8N_VERIFIED_PACKAGES_ENABLED: 'false', // else n8n fetches the vetted community node list from api.n8n.io
			N8N_UNVERIFIED_PACKAGES_ENABLED: 'true',
			N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'true',
			N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '5',
			N8N_SECURE_COOKIE: 'false',
			// Task runners can't be disabled in n8n 2.x (the Code node runs in one); give each boot its own broker
			// port so that two instances (a test and `npm run dev`) don't collide on the default 5679.
			N8N_RUNNERS_MODE: 'internal',
			N8N_RUNNERS_BROKER_PORT: String(await freePort()),
			N8N_RUNNERS_TASK_TIMEOUT: '300',
			N8N_LOG_LEVEL: 'info',
			N8N_LOG_OUTPUT: 'console',
		});
		if (this.runtime.n8nVersion.split('.')[0] === '1') {
			// 1.x's default sqlite driver has one connection: under a burst of executions n8n's 5 s database ping waits
			// behind them, fails, and n8n answers 503 "Database is not ready!". 3 is 2.x's default pool.
			env.DB_SQLITE_POOL_SIZE = '3';
		} else {
			// 2.x's MCP registry module polls api.n8n.io (1.x has no such module)
			env.N8N_DISABLED_MODULES = 'mcp-registry';
		}
		Object.assign(env, this.extraEnv, extra);
		return env;
	}

	/** Runs `n8n <args>` to completion in this instance (cwd = user folder, so no stray .env is read). */
	async cli(args: string[], options: CliOptions = {}): Promise<RunResult> {
		return await run(this.runtime.nodeBin, [this.runtime.n8nBin, ...args], {
			cwd: this.userFolder,
			env: await this.env(options.env),
			timeoutMs: options.timeoutMs ?? 5 * 60_000,
			onStdoutLine: options.onOutputLine,
			onStderrLine: options.onOutputLine,
		});
	}

	/** Installs a packed tarball into <userFolder>/.n8n/nodes the way n8n's Community Nodes installer does. */
	async installTarball(tarball: string): Promise<InstalledPackage> {
		return await installTarball(this.userFolder, tarball, this.runtime);
	}

	/**
	 * `n8n import:credentials --input=<file>`: credentials with plain `data` objects are encrypted on import.
	 * The temporary file (plain secrets) is written 0600 and removed right after.
	 */
	async importCredentials(credentials: CredentialJson[], options: CliOptions = {}): Promise<RunResult> {
		return await this.importFile('import:credentials', credentials, /Successfully imported \d+ credential/, options);
	}

	/** `n8n import:workflow --input=<file>` (one boot for all of them; ids are kept). */
	async importWorkflows(workflows: WorkflowJson[], options: CliOptions = {}): Promise<RunResult> {
		return await this.importFile('import:workflow', workflows, /Successfully imported \d+ workflow/, options);
	}

	private async importFile(command: string, data: unknown[], success: RegExp, options: CliOptions): Promise<RunResult> {
		const dir = join(this.userFolder, '.import');
		await mkdir(dir, { recursive: true, mode: 0o700 });
		const file = join(dir, `${command.replace(':', '-')}-${randomUUID()}.json`);
		await writeFile(file, JSON.stringify(data, null, 2), { mode: 0o600 });
		await chmod(file, 0o600);
		try {
			const result = await this.cli([command, `--input=${file}`], options);
			const output = result.stdout + result.stderr;
			if (result.code !== 0 || !success.test(output)) {
				throw new Error(`n8n ${command} failed (exit ${result.code}):\n${redact(tail(output, 25))}`);
			}
			return result;
		} finally {
			await rm(file, { force: true });
		}
	}

	/**
	 * `n8n execute --id=<id> --rawOutput` and the run it printed. Resolves also when the workflow failed
	 * (n8n exits 1 then): look at `ok`, `run.data.resultData.error`, or call `assertOk()`.
	 */
	async execute(workflowId: string, options: CliOptions = {}): Promise<ExecuteResult> {
		const result = await this.cli(['execute', `--id=${workflowId}`, '--rawOutput'], options);
		const output = redact(result.stdout + (result.stderr ? `\n${result.stderr}` : ''));
		const run = parseRunOutput(result.stdout) ?? parseRunOutput(result.stdout + '\n' + result.stderr);
		if (!run) {
			throw new Error(`n8n execute --id=${workflowId} printed no run (exit ${result.code}):\n${tail(output, 40)}`);
		}
		// n8n 1.x prints the run before setting its final status ('running'), and under load sometimes before setting
		// `finished`: a run still 'running' with no error counts when n8n exited 0 (it exits 1 when a workflow fails).
		const succeeded = run.status === 'success' || (run.status === 'running' && (run.finished === true || result.code === 0));
		// Node 22 under n8n 1.x sometimes dies in V8 while n8n exits (a fatal "SweepingState" error), after printing
		// a finished, successful run: the workflow's outcome is the printed run, the crash is the CLI's own.
		const printedSuccess = run.status === 'success' && run.finished === true;
		const ok = succeeded && !run.data.resultData.error && (result.code === 0 || printedSuccess);
		return { run, ok, exitCode: result.code, durationMs: result.durationMs, output };
	}

	/** `execute`, throwing with a per-node summary and n8n's output if the workflow failed. */
	async executeOk(workflowId: string, options: CliOptions = {}): Promise<ExecuteResult> {
		const result = await this.execute(workflowId, options);
		if (!result.ok) {
			const how = `exit ${result.exitCode}, status ${result.run.status}, finished ${String(result.run.finished)}`;
			throw new Error(`workflow ${workflowId} failed (${how}):\n${summarizeRun(result.run)}\n--- n8n output ---\n${tail(result.output, 30)}`);
		}
		return result;
	}

	/** `n8n export:workflow --id=<id>`: the workflow as n8n exports it (with its static data), as text. */
	async exportWorkflow(workflowId: string, options: CliOptions = {}): Promise<string> {
		const file = join(this.tmpDir, `export-${randomUUID()}.json`);
		await mkdir(this.tmpDir, { recursive: true });
		try {
			const result = await this.cli(['export:workflow', `--id=${workflowId}`, `--output=${file}`], options);
			if (result.code !== 0) throw new Error(`n8n export:workflow failed (exit ${result.code}):\n${redact(tail(result.stdout + result.stderr, 25))}`);
			return await readFile(file, 'utf8');
		} finally {
			await rm(file, { force: true });
		}
	}

	/**
	 * A workflow's static data as the sqlite database holds it (n8n stopped), read or replaced in place with the
	 * runtime's Node (node:sqlite): what a restored or edited backup would hold.
	 */
	async staticData(workflowId: string): Promise<Record<string, unknown>> {
		const script = `const { DatabaseSync } = require('node:sqlite'); const db = new DatabaseSync(process.argv[1]);
			const row = db.prepare('SELECT staticData FROM workflow_entity WHERE id = ?').get(process.argv[2]);
			process.stdout.write(row && row.staticData ? String(row.staticData) : '{}');`;
		const result = await run(this.runtime.nodeBin, ['-e', script, this.databaseFile, workflowId], { timeoutMs: 60_000 });
		if (result.code !== 0) throw new Error(`reading the static data failed: ${tail(result.stderr, 10)}`);
		return JSON.parse(result.stdout) as Record<string, unknown>;
	}

	async setStaticData(workflowId: string, staticData: Record<string, unknown>): Promise<void> {
		const script = `const { DatabaseSync } = require('node:sqlite'); const db = new DatabaseSync(process.argv[1]);
			const changed = db.prepare('UPDATE workflow_entity SET staticData = ? WHERE id = ?').run(process.argv[3], process.argv[2]).changes;
			if (changed !== 1) throw new Error('no workflow ' + process.argv[2]);`;
		const result = await run(this.runtime.nodeBin, ['-e', script, this.databaseFile, workflowId, JSON.stringify(staticData)], { timeoutMs: 60_000 });
		if (result.code !== 0) throw new Error(`writing the static data failed: ${tail(result.stderr, 10)}`);
	}

	get databaseFile(): string {
		return join(this.userFolder, '.n8n', 'database.sqlite');
	}

	/**
	 * Another instance made from a copy of this one's user folder (stop its servers first): the same database,
	 * encryption key and instance id, as a staging instance restored from production's backup. Kept on dispose.
	 */
	async copyTo(userFolder: string): Promise<N8nInstance> {
		if (this.servers.size > 0) throw new Error('stop the instance before copying its user folder');
		await cp(this.userFolder, userFolder, { recursive: true });
		return await N8nInstance.create({ runtime: this.runtime, userFolder, encryptionKey: this.encryptionKey, env: this.extraEnv });
	}

	/** Starts `n8n start` on this instance and waits until /healthz/readiness and the REST API answer 200. */
	async start(options: StartServerOptions = {}): Promise<N8nServer> {
		const server = await N8nServer.start(this, options);
		this.servers.add(server);
		server.onStop(() => this.servers.delete(server));
		return server;
	}

	/** Stops servers still running and removes the temp user folder (unless kept). */
	async dispose(): Promise<void> {
		for (const server of [...this.servers]) await server.stop();
		if (this.removeOnDispose) await rm(this.userFolder, { recursive: true, force: true, maxRetries: 3 });
	}
}

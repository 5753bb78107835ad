/**
 * Child processes of the n8n helpers: every child is tracked and killed (with its whole process group,
 * n8n starts a task runner of its own) when this process exits, and secrets are masked in anything we print.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

const live = new Set<ChildProcess>();
const secrets = new Set<string>();
let exitHookInstalled = false;
let signalHooksInstalled = false;

/** Registers a value (a secret key) that must never be printed; `redact()` masks it. */
export function registerSecret(value: string | undefined): void {
	if (value && value.length >= 6) secrets.add(value);
}

/** Replaces every registered secret in `text` with a masked form (`sk_test_…abcd`). */
export function redact(text: string): string {
	let out = text;
	for (const secret of secrets) {
		if (out.includes(secret)) out = out.split(secret).join(mask(secret));
	}
	return out;
}

export function mask(secret: string): string {
	const prefix = /^(sk|rk)_(test|live)_/.exec(secret)?.[0] ?? '';
	return `${prefix}…${secret.slice(-4)}`;
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
	if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
	try {
		process.kill(-child.pid, signal); // the child is a group leader (detached), so this reaches its children too
	} catch {
		try {
			child.kill(signal);
		} catch {
			/* already gone */
		}
	}
}

/** Kills every tracked child (and its process group) at once. */
export function killAllChildren(signal: NodeJS.Signals = 'SIGKILL'): void {
	for (const child of live) killGroup(child, signal);
}

function installExitHook(): void {
	if (exitHookInstalled) return;
	exitHookInstalled = true;
	process.on('exit', () => killAllChildren('SIGKILL'));
}

/**
 * For scripts (demo, dev): on Ctrl-C / SIGTERM / SIGHUP, SIGTERM every child at once (n8n shuts down in 1-2 s), run
 * `onSignal` (cleanup), SIGKILL what is left and exit. A second signal, or 10 s, kills everything at once. Jest tests
 * don't need this (the `exit` hook and their own afterAll do it).
 */
export function installSignalHandlers(onSignal?: () => Promise<void> | void): void {
	if (signalHooksInstalled) return;
	signalHooksInstalled = true;
	let stopping = false;
	for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
		process.on(signal, () => {
			if (stopping) {
				killAllChildren('SIGKILL');
				process.exit(130);
			}
			stopping = true;
			process.stderr.write(`\n${signal}: stopping…\n`);
			killAllChildren('SIGTERM');
			setTimeout(() => {
				killAllChildren('SIGKILL');
				process.exit(130);
			}, 10_000).unref();
			void (async () => {
				try {
					await onSignal?.();
				} catch {
					/* exiting anyway */
				}
				const deadline = Date.now() + 5000;
				while (live.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
				killAllChildren('SIGKILL');
				process.exit(130);
			})();
		});
	}
}

/** Resolves with the promise's value, or undefined after `ms` (for cleanup steps that must not hang an exit). */
export async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
	let timer: NodeJS.Timeout | undefined;
	const timeout = new Promise<undefined>((resolve) => {
		timer = setTimeout(() => resolve(undefined), ms);
	});
	try {
		return await Promise.race([promise, timeout]);
	} finally {
		clearTimeout(timer);
	}
}

/** `spawn` in its own process group, tracked so that it dies with us. */
export function spawnTracked(command: string, args: string[], options: SpawnOptions = {}): ChildProcess {
	installExitHook();
	const child = spawn(command, args, { ...options, detached: true });
	live.add(child);
	child.once('exit', () => live.delete(child));
	child.once('error', () => live.delete(child));
	return child;
}

/** Stops a child: SIGTERM to the process itself, then SIGKILL to its group after `graceMs`. */
export async function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
	if (child.exitCode !== null || child.signalCode !== null) {
		killGroup(child, 'SIGKILL'); // leftovers of the group (a task runner) if any
		return;
	}
	const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
	try {
		child.kill('SIGTERM');
	} catch {
		/* gone */
	}
	const timer = new Promise<'timeout'>((resolve) => {
		const t = setTimeout(() => resolve('timeout'), graceMs);
		t.unref();
	});
	if ((await Promise.race([exited, timer])) === 'timeout') killGroup(child, 'SIGKILL');
	killGroup(child, 'SIGKILL');
	await Promise.race([exited, new Promise((r) => setTimeout(r, 2000).unref())]);
}

export interface RunResult {
	code: number | null;
	signal: NodeJS.Signals | null;
	stdout: string;
	stderr: string;
	durationMs: number;
}

export interface RunOptions extends SpawnOptions {
	/** Kill the command after this many ms (default 10 minutes). */
	timeoutMs?: number;
	/** Called with each line of stderr (progress reporting). */
	onStderrLine?: (line: string) => void;
	/** Called with each line of stdout. */
	onStdoutLine?: (line: string) => void;
	/** Text written to stdin. */
	input?: string;
}

function lineSplitter(onLine: (line: string) => void): (chunk: string) => void {
	let rest = '';
	return (chunk: string) => {
		rest += chunk;
		const lines = rest.split('\n');
		rest = lines.pop() ?? '';
		for (const line of lines) onLine(line);
	};
}

/** Runs a command to completion (tracked, killed on timeout), collecting stdout and stderr. */
export async function run(command: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
	const { timeoutMs = 10 * 60_000, onStderrLine, onStdoutLine, input, ...spawnOptions } = options;
	const started = Date.now();
	const child = spawnTracked(command, args, { ...spawnOptions, stdio: ['pipe', 'pipe', 'pipe'] });
	let stdout = '';
	let stderr = '';
	child.stdout!.setEncoding('utf8');
	child.stderr!.setEncoding('utf8');
	const outLines = onStdoutLine ? lineSplitter(onStdoutLine) : undefined;
	const errLines = onStderrLine ? lineSplitter(onStderrLine) : undefined;
	child.stdout!.on('data', (chunk: string) => {
		stdout += chunk;
		outLines?.(chunk);
	});
	child.stderr!.on('data', (chunk: string) => {
		stderr += chunk;
		errLines?.(chunk);
	});
	// A child that exits without reading its input (a cached provisioning run takes milliseconds) closes the pipe
	// under us: that EPIPE is not an error of the command.
	child.stdin!.on('error', () => undefined);
	if (input === undefined) child.stdin!.end();
	else child.stdin!.end(input);
	let timedOut = false;
	const timer = setTimeout(() => {
		timedOut = true;
		void stopChild(child, 3000);
	}, timeoutMs);
	timer.unref();
	return await new Promise<RunResult>((resolve, reject) => {
		child.once('error', (error) => {
			clearTimeout(timer);
			reject(error);
		});
		child.once('close', (code, signal) => {
			clearTimeout(timer);
			killGroup(child, 'SIGKILL'); // grandchildren that outlived it
			if (timedOut) {
				reject(new Error(`${command} ${args.join(' ')} timed out after ${timeoutMs} ms\n${redact(tail(stdout + stderr))}`));
				return;
			}
			resolve({ code, signal, stdout, stderr, durationMs: Date.now() - started });
		});
	});
}

/**
 * Polls `isReady` until it holds. Throws with the child's last output when it ends first, or when it is not ready
 * within `timeoutMs` (then it is stopped).
 */
export async function waitUntilReady(what: string, child: ChildProcess, output: () => string, isReady: () => boolean | Promise<boolean>, timeoutMs = 180_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		if (child.exitCode !== null || child.signalCode !== null) {
			throw new Error(`${what} ended before it was ready (exit code ${child.exitCode} signal ${child.signalCode}):\n${tail(output(), 30)}`);
		}
		if (Date.now() > deadline) {
			await stopChild(child, 3000);
			throw new Error(`${what} was not ready after ${timeoutMs} ms:\n${tail(output(), 30)}`);
		}
		if (await isReady()) return;
		await new Promise((resolve) => setTimeout(resolve, 200));
	}
}

/** Calls `onLine` with each line a child prints on stdout or stderr, secrets masked. */
export function onOutputLines(child: ChildProcess, onLine: (line: string) => void): void {
	for (const stream of [child.stdout, child.stderr]) {
		const split = lineSplitter((line) => onLine(redact(line)));
		stream?.on('data', (chunk: Buffer) => split(chunk.toString('utf8')));
	}
}

/** The last `n` lines of a text (for error messages). */
export function tail(text: string, n = 40): string {
	return text.split('\n').slice(-n).join('\n');
}

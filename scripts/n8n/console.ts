/** Progress output for the demo and dev scripts (stderr, so stdout stays for results). */
import { isProvisioned, provision, defaultCacheDir, N8N_VERSION, NODE_VERSION, type N8nRuntime } from './runtime';

const color = process.stderr.isTTY && !process.env.NO_COLOR;
export const dim = (s: string) => (color ? `\x1b[2m${s}\x1b[22m` : s);
export const bold = (s: string) => (color ? `\x1b[1m${s}\x1b[22m` : s);
export const green = (s: string) => (color ? `\x1b[32m${s}\x1b[39m` : s);
export const red = (s: string) => (color ? `\x1b[31m${s}\x1b[39m` : s);
export const yellow = (s: string) => (color ? `\x1b[33m${s}\x1b[39m` : s);

export function say(line: string): void {
	process.stderr.write(`${line}\n`);
}

export function seconds(ms: number): string {
	return ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** Runs one step, printing "▸ title…" then "✓ title (1.2 s)" or "✗ title". */
export async function step<T>(title: string, fn: () => Promise<T>): Promise<T> {
	const started = Date.now();
	say(`${bold('▸')} ${title}…`);
	try {
		const result = await fn();
		say(`${green('✓')} ${title} ${dim(`(${seconds(Date.now() - started)})`)}`);
		return result;
	} catch (error) {
		say(`${red('✗')} ${title} ${dim(`(${seconds(Date.now() - started)})`)}`);
		throw error;
	}
}

const NOISE = /^npm warn|^\s*(package|required|current):|^\s*\}$|^npm notice/;

/**
 * Provisions Node 24 + n8n with visible progress: on the first run (minutes) says what is happening and echoes the
 * provisioning script's progress lines (it prints one every 30 s during the long steps); when cached, milliseconds.
 */
export async function provisionWithProgress(): Promise<N8nRuntime> {
	if (isProvisioned()) {
		return await step(`Using the cached Node ${NODE_VERSION} + n8n ${N8N_VERSION}`, async () => await provision({ onProgress: () => undefined }));
	}
	say(
		yellow(
			`First run: installing Node ${NODE_VERSION} and n8n ${N8N_VERSION} (about 2.8 GB) into ${defaultCacheDir()}.\n` +
				'  npm downloads n8n (~5 min), then sqlite3 is compiled for Node 24 (~2 min). Later runs reuse the cache and start at once.',
		),
	);
	return await step('Provisioning Node 24 + n8n', async () =>
		provision({
			onProgress: (line) => {
				if (line.trim() && !NOISE.test(line)) say(dim(`  ${line}`));
			},
		}),
	);
}

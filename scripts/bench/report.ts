/** Machine description and markdown rendering for the bench. */
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { readFileSync } from 'node:fs';

export function machine(): string[] {
	let model = cpus()[0]?.model ?? 'unknown';
	try {
		const line = readFileSync('/proc/cpuinfo', 'utf8')
			.split('\n')
			.find((entry) => entry.startsWith('model name'));
		if (line) model = line.split(':').slice(1).join(':').trim();
	} catch {
		// not Linux: os.cpus() it is
	}
	const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(1)} GiB`;
	return [
		`CPU: ${model}, ${cpus().length} cores`,
		`Memory: ${gib(totalmem())} (${gib(freemem())} free at start)`,
		`Node.js ${process.version} (${process.platform}/${process.arch})`,
		`Load average at start: ${loadavg().map((value) => value.toFixed(2)).join(' / ')} (1/5/15 min)`,
	];
}

export function table(header: string[], rows: Array<Array<string | number>>): string {
	const line = (cells: Array<string | number>) => `| ${cells.map(String).join(' | ')} |`;
	return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

export const seconds = (ms: number) => (ms / 1000).toFixed(2);
export const perSecond = (count: number, ms: number) => (count / (ms / 1000)).toFixed(1);
export const ratio = (value: number, bound: number) => `${(value / bound).toFixed(2)}x`;

export function formatFailures(failures: Record<string, number>): string {
	const entries = Object.entries(failures).sort((a, b) => b[1] - a[1]);
	return entries.length === 0 ? '0' : entries.map(([code, count]) => `${count} ${code}`).join(', ');
}

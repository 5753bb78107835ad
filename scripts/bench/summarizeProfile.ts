/** Summarises a V8 .cpuprofile: self time by function and by package/file, and inclusive time of chosen functions. */
import { readFileSync } from 'node:fs';

interface ProfileNode {
	id: number;
	callFrame: { functionName: string; url: string; lineNumber: number };
	children?: number[];
	hitCount?: number;
}

const file = process.argv[2];
const focus = (process.argv[3] ?? '').split(',').filter(Boolean);
const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
const selfUs = new Map<number, number>();
profile.samples.forEach((id, index) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0)));
const total = [...selfUs.values()].reduce((a, b) => a + b, 0);

const shortUrl = (url: string) => {
	const nm = url.lastIndexOf('node_modules/');
	if (nm >= 0) return url.slice(nm + 'node_modules/'.length);
	return url.replace(/^file:\/\/\/work\/main\//, '');
};
const label = (node: ProfileNode) => `${node.callFrame.functionName || '(anonymous)'} ${shortUrl(node.callFrame.url)}:${node.callFrame.lineNumber + 1}`;
const pkg = (url: string) => {
	const short = shortUrl(url);
	if (!url) return '(native/gc/idle)';
	if (url.includes('node_modules/')) return short.split('/').slice(0, short.startsWith('@') ? 2 : 1).join('/');
	if (url.startsWith('node:')) return 'node:internal';
	return short.split('/').slice(0, 3).join('/');
};

const selfByFn = new Map<string, number>();
const selfByPkg = new Map<string, number>();
for (const [id, us] of selfUs) {
	const node = byId.get(id)!;
	selfByFn.set(label(node), (selfByFn.get(label(node)) ?? 0) + us);
	selfByPkg.set(pkg(node.callFrame.url), (selfByPkg.get(pkg(node.callFrame.url)) ?? 0) + us);
}
const top = (map: Map<string, number>, n: number) =>
	[...map.entries()].sort((a, b) => b[1] - a[1]).slice(0, n).map(([key, us]) => `${((us / total) * 100).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(6)} ms  ${key}`);
process.stdout.write(`total ${(total / 1000).toFixed(0)} ms sampled\n\n== self time by package/file ==\n${top(selfByPkg, 25).join('\n')}\n\n== self time by function ==\n${top(selfByFn, 40).join('\n')}\n`);

// Inclusive time: for each sample, every distinct function label on its stack.
const inclusive = new Map<string, number>();
for (const [id, us] of selfUs) {
	const seen = new Set<string>();
	for (let current: number | undefined = id; current !== undefined; current = parent.get(current)) {
		const node = byId.get(current)!;
		const key = `${node.callFrame.functionName || '(anonymous)'} ${shortUrl(node.callFrame.url)}:${node.callFrame.lineNumber + 1}`;
		if (seen.has(key)) continue;
		seen.add(key);
		inclusive.set(key, (inclusive.get(key) ?? 0) + us);
	}
}
const filtered = new Map([...inclusive].filter(([key]) => focus.length === 0 || focus.some((word) => key.includes(word))));
process.stdout.write(`\n== inclusive time${focus.length ? ` (matching ${focus.join(', ')})` : ''} ==\n${top(filtered, 60).join('\n')}\n`);

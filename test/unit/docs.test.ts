/**
 * The docs' relative links resolve: every `[text](target)` in README.md, CONTRIBUTING.md and docs/*.md that is not a
 * web address points at a file or folder of this repository, and every `#anchor` at a heading of the page it names
 * (GitHub's slugs: lower case, punctuation dropped, spaces to hyphens).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const PAGES = ['README.md', 'CONTRIBUTING.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

function withoutCode(markdown: string): string {
	return markdown.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
}

function slug(heading: string): string {
	return heading
		.trim()
		.toLowerCase()
		.replace(/[^\p{L}\p{N} _-]/gu, '')
		.replace(/ /g, '-');
}

function anchors(file: string): string[] {
	return readFileSync(file, 'utf8')
		.replace(/```[\s\S]*?```/g, '')
		.split('\n')
		.filter((line) => /^#{1,6} /.test(line))
		.map((line) => slug(line.replace(/^#+ /, '')));
}

function links(markdown: string): string[] {
	return [...withoutCode(markdown).matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((match) => match[1]);
}

const cases = PAGES.flatMap((page) =>
	links(readFileSync(join(ROOT, page), 'utf8'))
		.filter((target) => !/^[a-z]+:/i.test(target))
		.map((target) => [page, target] as const),
);

test('the slug of a heading is GitHub\'s', () => {
	expect(slug('Money safety (exactly once)')).toBe('money-safety-exactly-once');
	expect(slug('A first credit in two minutes')).toBe('a-first-credit-in-two-minutes');
	expect(slug('Scaling out (queue mode)')).toBe('scaling-out-queue-mode');
});

test('the pages link to one another', () => {
	expect(cases.length).toBeGreaterThan(20);
});

test.each(cases)('%s: %s resolves', (page, target) => {
	const [path, anchor] = target.split('#');
	const file = path ? resolve(dirname(join(ROOT, page)), decodeURI(path)) : join(ROOT, page);
	expect({ target, inRepository: !relative(ROOT, file).startsWith('..'), exists: existsSync(file) }).toEqual({ target, inRepository: true, exists: true });
	if (anchor !== undefined) {
		expect(statSync(file).isFile() && file.endsWith('.md')).toBe(true);
		expect(anchors(file)).toContain(anchor);
	}
});

test('the README gives a user what n8n asks of a community node, in this order: usage, operations, authentication, examples; the developer\'s commands after them', () => {
	const headings = readFileSync(join(ROOT, 'README.md'), 'utf8')
		.replace(/```[\s\S]*?```/g, '')
		.split('\n')
		.filter((line) => line.startsWith('## '))
		.map((line) => line.slice(3));
	expect(headings).toEqual([
		'Installation',
		'A first credit in two minutes',
		'More on installing',
		'Operations',
		'Trigger: when a balance changes',
		'Credentials',
		'Recipes',
		'Compatibility',
		'Quick start for developers (building from source)',
		'Links',
		'License',
	]);
});

test('every recipe of the README links its example workflow, and every example workflow is a recipe', () => {
	const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
	const linked = [...readme.matchAll(/\]\(examples\/([\w-]+\.json)\)/g)].map((match) => match[1]).sort();
	const examples = readdirSync(join(ROOT, 'examples')).filter((file) => file.endsWith('.json')).sort();
	expect(linked).toEqual(examples);
});

test('a new user reaches a first credit within the README\'s first 25 lines: what it does, install, credential, the credit', () => {
	const first = readFileSync(join(ROOT, 'README.md'), 'utf8').split('\n').slice(0, 25).join('\n');
	expect(first).toMatch(/^## Installation$/m);
	expect(first).toMatch(/^## A first credit in two minutes$/m);
	expect(first).toMatch(/Stripe Customer Balance API\*\* credential/);
	expect(first).toMatch(/Direction\* \*\*Credit the Customer\*\*.*Amount `10`, Currency `EUR`/);
	expect(first).toMatch(/^4\. \*Execute step\*/m);
});

test('the README gives the two commands that set up a fresh clone, and CI runs its test command as written', () => {
	const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
	expect(readme).toContain('npm ci && npm run demo');
	expect(readme).toContain('npm ci && npm test');
	expect(readFileSync(join(ROOT, '.ci/run'), 'utf8')).toContain("step bash -c 'npm ci && npm test'");
});

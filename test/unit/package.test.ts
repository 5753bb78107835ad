/**
 * The release shape: what n8n loads (package.json `n8n` section, icons, codex), what the tarball holds, and n8n's own
 * community-package analyzer passing on the source and on the packed package, as n8n's verification runs it.
 */
import { execFileSync, spawnSync } from 'child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

import { CREDENTIAL_TYPE, NODE_TYPE, TRIGGER_NODE_TYPE, loadedPackage } from '../engine';

const root = join(__dirname, '../..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

function scan(args: string[]) {
	// Without jest's NODE_ENV=test, under which eslint-plugin-n8n-nodes-base treats every file as a node file.
	const { NODE_ENV: _jest, ...env } = process.env;
	const run = spawnSync(process.execPath, [join(root, 'scripts/scan-package.mjs'), ...args], { encoding: 'utf8', cwd: root, env });
	return { status: run.status, results: run.stdout.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line)) };
}

describe('package.json', () => {
	it('declares the node, its trigger and the credential for n8n, and nothing n8n refuses', () => {
		expect(pkg.name).toBe('n8n-nodes-stripe-customer-balance');
		expect(pkg.license).toBe('MIT');
		expect(pkg.keywords).toContain('n8n-community-node-package');
		expect(pkg.n8n).toEqual({
			n8nNodesApiVersion: 1,
			strict: true,
			credentials: ['dist/credentials/StripeCustomerBalanceApi.credentials.js'],
			nodes: ['dist/nodes/StripeCustomerBalance/StripeCustomerBalance.node.js', 'dist/nodes/StripeCustomerBalance/StripeCustomerBalanceTrigger.node.js'],
		});
		for (const file of [...pkg.n8n.credentials, ...pkg.n8n.nodes]) expect(existsSync(join(root, file))).toBe(true);
		expect(pkg.dependencies ?? {}).toEqual({});
		expect(pkg.peerDependencies).toEqual({ 'n8n-workflow': '*' });
		for (const hook of ['preinstall', 'install', 'postinstall', 'prepare', 'prepublish', 'prepack', 'postpack']) {
			expect(pkg.scripts[hook]).toBeUndefined();
		}
	});
});

describe('what n8n registers', () => {
	const loaded = loadedPackage();

	it('the node, its trigger and the credential, under the package name', () => {
		expect(loaded.packageName).toBe('n8n-nodes-stripe-customer-balance');
		expect(loaded.nodeTypes).toEqual([NODE_TYPE, TRIGGER_NODE_TYPE]);
		expect(loaded.credentialTypes).toEqual([CREDENTIAL_TYPE]);
		const description = loaded.nodeDescription(NODE_TYPE);
		expect(description).toMatchObject({ displayName: 'Stripe Customer Balance', name: 'stripeCustomerBalance', version: [1, 2], defaultVersion: 2, usableAsTool: true });
		expect(description.credentials).toEqual([{ name: CREDENTIAL_TYPE, required: true }]);
		expect(loaded.credential(CREDENTIAL_TYPE).displayName).toBe('Stripe Customer Balance API');
		const trigger = loaded.nodeDescription(TRIGGER_NODE_TYPE);
		expect(trigger).toMatchObject({ displayName: 'Stripe Customer Balance Trigger', name: 'stripeCustomerBalanceTrigger', version: [1, 2], defaultVersion: 2, group: ['trigger'], inputs: [] });
		expect(trigger.credentials).toEqual([{ name: CREDENTIAL_TYPE, required: true }]);
		expect(trigger.webhooks).toEqual([{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'webhook' }]);
		expect(trigger.properties.map((property) => property.name)).toEqual(['endpointNotice', 'event', 'changes', 'changes', 'causes']);
	});

	it('icons that exist, light and dark different, for the nodes and the credential', () => {
		const icons = loaded.iconPaths;
		expect(icons.map((icon) => `${icon.kind}:${icon.theme}`).sort()).toEqual(['credential:dark', 'credential:light', 'node:dark', 'node:dark', 'node:light', 'node:light']);
		for (const icon of icons) expect(icon.exists).toBe(true);
		const light = icons.find((icon) => icon.kind === 'node' && icon.theme === 'light');
		const dark = icons.find((icon) => icon.kind === 'node' && icon.theme === 'dark');
		expect(readFileSync(light!.file, 'utf8')).not.toBe(readFileSync(dark!.file, 'utf8'));
	});

	it("a codex with the Finance & Accounting and Sales categories, the package's README as the node's docs", () => {
		const codex = JSON.parse(readFileSync(join(root, 'dist/nodes/StripeCustomerBalance/StripeCustomerBalance.node.json'), 'utf8'));
		expect(codex.node).toBe(NODE_TYPE);
		expect(codex.categories).toEqual(['Finance & Accounting', 'Sales']);
		// n8n's editor links the first one as the node's "Docs"
		expect(codex.resources.primaryDocumentation[0].url).toBe(pkg.homepage);
		expect(pkg.homepage).toMatch(/#readme$/);
		expect(codex.resources.credentialDocumentation[0].url).toMatch(/^https:\/\/docs\.stripe\.com\//);
	});

	it('every field an AI Agent may fill has a description', () => {
		const missing: string[] = [];
		const visit = (properties: Array<Record<string, unknown>>, path: string) => {
			for (const property of properties) {
				const name = `${path}${String(property.name)}`;
				if (property.type !== 'notice' && !property.description && !['resource', 'operation'].includes(String(property.name))) {
					if (!['collection', 'fixedCollection'].includes(String(property.type))) missing.push(name);
				}
				if (Array.isArray(property.options) && property.type !== 'options' && property.type !== 'multiOptions') {
					const nested = (property.options as Array<Record<string, unknown>>).flatMap((option) =>
						Array.isArray(option.values) ? (option.values as Array<Record<string, unknown>>) : [option],
					);
					visit(nested, `${name}.`);
				}
			}
		};
		visit(loaded.nodeDescription(NODE_TYPE).properties as unknown as Array<Record<string, unknown>>, '');
		expect(missing).toEqual([]);
	});
});

describe('the packed package', () => {
	let dir: string;
	let files: string[];

	beforeAll(() => {
		dir = mkdtempSync(join(tmpdir(), 'pack-'));
		const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', dir], { cwd: root, encoding: 'utf8' }));
		files = packed[0].files.map((file: { path: string }) => file.path);
		execFileSync('tar', ['-xzf', join(dir, packed[0].filename), '-C', dir]);
	}, 60_000);

	afterAll(() => rmSync(dir, { recursive: true, force: true }));

	it('holds only what n8n needs (compiled code, codex, icons, package.json, README, LICENSE) and the example workflows', () => {
		expect(files).toEqual(expect.arrayContaining([...pkg.n8n.nodes, ...pkg.n8n.credentials, 'dist/icons/stripe.svg', 'dist/icons/stripe.dark.svg', 'package.json', 'README.md', 'LICENSE']));
		const unexpected = files.filter(
			(file) => !/^dist\/(nodes|credentials)\/.+\.(js|json)$|^dist\/icons\/[\w.]+\.svg$|^examples\/[\w-]+\.json$|^(package\.json|README\.md|LICENSE|CHANGELOG\.md|index\.js)$/.test(file),
		);
		expect(unexpected).toEqual([]);
		expect(files.some((file) => /\.(ts|map)$|^test\/|^scripts\//.test(file))).toBe(false);
	});

	it('ships every example workflow, so that npm users can import the ones the README names', () => {
		const examples = readdirSync(join(root, 'examples')).filter((file) => file.endsWith('.json'));
		expect(examples.length).toBeGreaterThan(0);
		expect(files.filter((file) => file.startsWith('examples/')).sort()).toEqual(examples.map((file) => `examples/${file}`).sort());
	});

	it("passes n8n's community-package analyzer, on the source and on the packed package", () => {
		const { status, results } = scan(['--source', root, '--packed', join(dir, 'package')]);
		expect(results.map((result: { scan: string; passed: boolean }) => [result.scan, result.passed])).toEqual([
			['source', true],
			['packed', true],
		]);
		expect(status).toBe(0);
	}, 120_000);

	it('and the analyzer does fail a package that breaks the rules (so the check above can fail)', () => {
		const broken = mkdtempSync(join(tmpdir(), 'broken-'));
		try {
			cpSync(join(dir, 'package'), broken, { recursive: true });
			const node = join(broken, pkg.n8n.nodes[0]);
			writeFileSync(node, `${readFileSync(node, 'utf8')}\nsetTimeout(() => undefined, 1);\n`);
			const { status, results } = scan(['--packed', broken]);
			expect(results[0].passed).toBe(false);
			expect(status).toBe(1);
		} finally {
			rmSync(broken, { recursive: true, force: true });
		}
	}, 120_000);
});

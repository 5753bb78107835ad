/**
 * What keeps the docs true of the nodes: every example uses the version a new node gets, the fields reference names
 * every field the panel shows (the list is read from the node descriptions), and every README recipe names an example
 * that exists.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

import type { INodeProperties, INodeTypeDescription } from 'n8n-workflow';

import { NODE_TYPE, PACKAGE_ROOT, TRIGGER_NODE_TYPE, loadedPackage } from '../engine';

const read = (file: string) => readFileSync(path.join(PACKAGE_ROOT, file), 'utf8');
const examples = readdirSync(path.join(PACKAGE_ROOT, 'examples')).filter((file) => file.endsWith('.json'));
const descriptions = [NODE_TYPE, TRIGGER_NODE_TYPE].map((type) => loadedPackage().nodeDescription(type));

const newestVersion = (description: INodeTypeDescription) =>
	description.defaultVersion ?? Math.max(...[description.version].flat());

describe('the examples', () => {
	it.each(examples)('%s uses the version a new node gets, for each of this package\'s nodes', (file) => {
		const workflow = JSON.parse(read(`examples/${file}`)) as { nodes: Array<{ name: string; type: string; typeVersion: number }> };
		const ours = workflow.nodes.filter((node) => node.type.startsWith('n8n-nodes-stripe-customer-balance.'));
		expect(ours.length).toBeGreaterThan(0);
		for (const node of ours) {
			// The AI Agent's tool is the action node under n8n's `…Tool` type.
			const description = node.type === TRIGGER_NODE_TYPE ? descriptions[1] : descriptions[0];
			expect([NODE_TYPE, `${NODE_TYPE}Tool`, TRIGGER_NODE_TYPE]).toContain(node.type);
			expect({ node: node.name, typeVersion: node.typeVersion }).toEqual({ node: node.name, typeVersion: newestVersion(description) });
		}
	});
});

describe('the examples\' Code nodes', () => {
	const codeNodes = examples.flatMap((file) =>
		(JSON.parse(read(`examples/${file}`)) as { nodes: Array<{ name: string; type: string; parameters: { jsCode?: string } }> }).nodes
			.filter((node) => node.type === 'n8n-nodes-base.code')
			.map((node) => [file, node.name, node.parameters.jsCode ?? ''] as const),
	);

	it('exist (they stand in for data sources a test cannot run)', () => expect(codeNodes.length).toBeGreaterThan(0));

	it.each(codeNodes)('%s: "%s" says in a comment what it stands for or does', (_file, _name, code) => {
		expect(code).toMatch(/^\/\/ \S/);
	});

	it.each(codeNodes.filter(([, name]) => name.endsWith('(stand-in)')))('%s: "%s" names the n8n source its output shape comes from', (_file, _name, code) => {
		expect(code).toMatch(/^\/\/ Stands for /);
		expect(code).toMatch(/packages\/nodes-base\/nodes\//);
	});
});

function displayNames(properties: INodeProperties[]): string[] {
	return properties.flatMap((property): string[] => {
		if (property.type === 'notice') return [];
		const inside =
			property.type === 'collection'
				? displayNames(property.options as INodeProperties[])
				: property.type === 'fixedCollection'
					? (property.options as Array<{ values: INodeProperties[] }>).flatMap((group) => displayNames(group.values))
					: [];
		return [property.displayName, ...inside];
	});
}

describe('docs/FIELDS.md', () => {
	const fields = read('docs/FIELDS.md');
	const names = [...new Set(descriptions.flatMap((description) => displayNames(description.properties)))];

	it('has fields to look for', () => expect(names).toEqual(expect.arrayContaining(['Direction', 'Amount Format', 'Changes'])));

	it.each(names)('names the field "%s"', (name) => {
		const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
		expect(fields).toMatch(new RegExp(`(^|[^A-Za-z])${escaped}([^A-Za-z]|$)`));
	});
});

describe('the README\'s recipes', () => {
	const readme = read('README.md');
	const recipes = readme.slice(readme.indexOf('## Recipes'), readme.indexOf('\n## ', readme.indexOf('## Recipes') + 1));
	const named = [...recipes.matchAll(/\]\(examples\/([^)]+\.json)\)/g)].map((match) => match[1]);

	it('name examples', () => expect(named.length).toBeGreaterThan(0));

	it.each(named)('%s exists', (file) => expect(examples).toContain(file));

	it.each(examples)('%s has a recipe', (file) => expect(named).toContain(file));
});

/**
 * The example workflow in examples/ and what the demo, the dev server and the e2e test do with it:
 * read its CRM rows (to create matching sandbox customers), swap the rows (real Stripe test-mode customers),
 * point its credential at an imported one.
 *
 * Its "CRM export" Code node holds the rows as `const rows = <JSON array>;` so they can be read and replaced here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decimalsOf } from '../../nodes/StripeCustomerBalance/amounts';
import { REPO_ROOT } from './runtime';
import { findNode, type WorkflowJson } from './workflows';

export const EXAMPLE_FILE = join(REPO_ROOT, 'examples', 'credit-customer-balances.json');
export const CRM_NODE = 'CRM export';
/** The credential the example's Stripe nodes reference (import a credential with this id and name). */
export const EXAMPLE_CREDENTIAL = { id: 'stripeCbExample01', name: 'Stripe Customer Balance account' };

export interface CrmRow {
	crmId: string;
	customerId: string;
	customerName: string;
	email: string;
	/** Smallest currency unit, as text (CRMs export text). */
	amount: string;
	currency: string;
	note: string;
	orderId: string;
}

export function loadExampleWorkflow(file = EXAMPLE_FILE): WorkflowJson {
	const parsed = JSON.parse(readFileSync(file, 'utf8')) as WorkflowJson | WorkflowJson[];
	return Array.isArray(parsed) ? parsed[0] : parsed;
}

/** The recipes' workflows of examples/ other than the demo's (the editor shows them all). */
export function otherExampleWorkflows(): WorkflowJson[] {
	const dir = join(REPO_ROOT, 'examples');
	return readdirSync(dir)
		.filter((file) => file.endsWith('.json') && join(dir, file) !== EXAMPLE_FILE)
		.sort()
		.map((file) => loadExampleWorkflow(join(dir, file)));
}

const ROWS = /const rows = (\[[\s\S]*?\]);\n/;

export function crmCode(rows: CrmRow[]): string {
	return [
		'// A CRM export: one row per credit to grant. In a real workflow this is your CRM or a spreadsheet node.',
		'// amount is text as people write it ("12.50" EUR), as many exports deliver it.',
		`const rows = ${JSON.stringify(rows, null, 2)};`,
		'return rows.map((json) => ({ json }));',
		'',
	].join('\n');
}

/** A row's amount in Stripe's terms: the smallest unit, negative for the credit the example grants. */
export function creditInSmallestUnit(row: CrmRow): number {
	return -Math.round(Number(row.amount) * 10 ** decimalsOf(row.currency.toLowerCase()));
}

/** The rows of the example's CRM export node. */
export function readCrmRows(workflow: WorkflowJson): CrmRow[] {
	const code = String(findNode(workflow, CRM_NODE).parameters.jsCode ?? '');
	const match = ROWS.exec(code);
	if (!match) throw new Error(`the "${CRM_NODE}" node of ${workflow.id} does not hold "const rows = [...];"`);
	return JSON.parse(match[1]) as CrmRow[];
}

/** A copy of the workflow whose CRM export node outputs `rows`. */
export function withCrmRows(workflow: WorkflowJson, rows: CrmRow[]): WorkflowJson {
	findNode(workflow, CRM_NODE);
	return {
		...workflow,
		nodes: workflow.nodes.map((node) =>
			node.name === CRM_NODE ? { ...node, parameters: { ...node.parameters, jsCode: crmCode(rows) } } : node,
		),
	};
}

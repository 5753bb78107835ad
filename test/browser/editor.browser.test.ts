/**
 * The editor as users meet it, in a real browser (Debian's chromium, driven by playwright-core) against the real n8n
 * with the packed package, the Stripe sandbox and a fresh owner: what `npm run dev` sets up (scripts/n8n/editorStack).
 * The steps run in order on one page, as a person would go through them. Screenshots for the README are written to
 * docs/images/. Run with `npm run test:browser` (installs chromium, builds, provisions n8n).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { NODE_TYPE, REPO_ROOT, otherExampleWorkflows } from '../../scripts/n8n';
import { CredentialDialog } from './credentialDialog';
import { choose, fieldLabels, loadedIcon, openNewWorkflow, optionsOf, outputJson, pickAction, searchNodeCreator, setText } from './editor';
import { IMAGES, useSignedInEditor } from './signedInEditor';

jest.setTimeout(10 * 60_000);

const NODE = 'Stripe Customer Balance';
const ACME_GMBH = 'cus_DemoAcmeGmbH01';
const homepage = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { homepage: string }).homepage;

const { stack, ui } = useSignedInEditor();
const page = () => ui().page;

/**
 * Saves docs/images/<name>.png, without n8n's passing notifications ("Credential saved", …) or a hovered button, once
 * the page's fonts are loaded and two frames have been drawn (so no control is caught half-drawn).
 */
async function screenshot(name: string, what: 'page' | 'panel'): Promise<void> {
	await page().mouse.move(0, 0);
	await page().evaluate('document.fonts.ready.then(() => new Promise((drawn) => requestAnimationFrame(() => requestAnimationFrame(drawn))))');
	const target = what === 'panel' ? page().getByTestId('ndv') : page();
	await target.screenshot({ path: join(IMAGES, `${name}.png`), animations: 'disabled', style: '.el-notification { display: none !important; }' });
}

it('the example workflow runs from its canvas: every node succeeds', async () => {
	await page().goto(`${stack().editorUrl}/workflow/${stack().example.id}`);
	const nodes = page().getByTestId('canvas-node');
	await nodes.filter({ hasText: 'Credit customer balance' }).waitFor();
	await page().getByTestId('execute-workflow-button').click();
	await nodes.filter({ hasText: 'Get customer balance' }).getByTestId('canvas-node-status-success').waitFor();
	expect(await nodes.getByTestId('canvas-node-status-success').count()).toBe(await nodes.count());
	expect(stack().sandbox.transactions().length).toBe(4);
	// the Execute workflow button goes back from its running state to its label after the run: wait for the label
	await page().getByTestId('execute-workflow-button').filter({ hasText: /execute workflow/i }).waitFor();
	// The label fades back in after the run: a picture only, so a pause (not a test condition) lets it finish.
	await page().mouse.move(0, 0);
	await page().waitForTimeout(2000);
	await screenshot('example-workflow', 'page');
});

it.each(otherExampleWorkflows().filter((workflow) => !workflow.nodes.some((node) => node.credentials?.openAiApi)).map((workflow) => [workflow.name, workflow] as const))(
	'the recipe "%s" opens on the canvas with its sticky notes',
	async (_name, workflow) => {
		await page().goto(`${stack().editorUrl}/workflow/${workflow.id}`);
		const nodes = page().getByTestId('canvas-node');
		await nodes.filter({ hasText: workflow.nodes.find((node) => node.type === NODE_TYPE)!.name }).first().waitFor();
		for (const sticky of workflow.nodes.filter((node) => node.type === 'n8n-nodes-base.stickyNote')) {
			// The note's first line as the canvas renders it: markdown's heading marks, code ticks and emphasis gone.
			const title = String(sticky.parameters.content).split('\n')[0].replace(/^#+ /, '').replace(/[`*_]/g, '');
			// Visible text only: the editor's header also holds the workflow's name, which may be the note's title.
			await page().getByText(title).filter({ visible: true }).first().waitFor();
		}
		await screenshot(`recipe-${workflow.id}`, 'page');
	},
);

it('the node creator finds "Stripe Customer Balance", with its icon, and adds it', async () => {
	await openNewWorkflow(page(), stack().editorUrl);
	const entry = await searchNodeCreator(page(), NODE);
	expect(await loadedIcon(entry)).toEqual({ src: expect.stringMatching(/\/icons\/n8n-nodes-stripe-customer-balance\/dist\/icons\/stripe\.svg$/), loaded: true });
	await entry.click();
	await pickAction(page(), 'Create a customer balance transaction');
	await expect(page().getByTestId('ndv').innerText()).resolves.toContain('Create a customer balance transaction');
});

it('the panel shows every field of Create, with the customer modes and the additional fields', async () => {
	expect(await fieldLabels(page())).toEqual(['Credential', 'Resource', 'Operation', 'Customer', 'Direction', 'Amount', 'Currency', 'Additional Fields', 'Options']);
	expect(await optionsOf(page(), page().getByTestId('rlc-mode-selector'), '[data-test-id^="mode-"]')).toEqual(['From list', 'By ID', 'By URL', 'By Email']);
	expect(await optionsOf(page(), page().getByTestId('collection-parameter-add').first(), '[data-test-id="collection-parameter-option"]')).toEqual([
		'Description',
		'Expand',
		'Metadata',
	]);
});

it('Get Many shows Return All, Limit and Filters; Get Balance only the customer and its options', async () => {
	await choose(page(), 'operation', 'Get Many');
	expect(await fieldLabels(page())).toEqual(['Credential', 'Resource', 'Operation', 'Customer', 'Return All', 'Limit', 'Filters', 'Options']);
	await choose(page(), 'resource', 'Customer');
	expect(await fieldLabels(page())).toEqual(['Credential', 'Resource', 'Operation', 'Customer', 'Options']);
	await choose(page(), 'resource', 'Customer Balance Transaction');
	await choose(page(), 'operation', 'Create');
	expect(await fieldLabels(page())).toContain('Amount');
});

it("the node's Docs link opens this package's README", async () => {
	const [opened] = await Promise.all([ui().context.waitForEvent('page'), page().getByTestId('ndv').getByRole('link', { name: 'Docs' }).click()]);
	await opened.waitForLoadState();
	expect(opened.url().startsWith(homepage)).toBe(true);
	await opened.close();
});

it('the credential dialog: a publishable key gets the node\'s own message, the sandbox key passes the test', async () => {
	const dialog = await CredentialDialog.createNew(page());
	await dialog.fill('secretKey', 'pk_test_51Abc0000000000000000000');
	await dialog.fill('baseUrl', stack().sandbox.url);
	await dialog.save();
	expect(await dialog.failure()).toMatch(/The credential holds a publishable key \(pk_…\), which cannot change balances\. A Stripe key looks like sk_test_…/);
	await screenshot('credential-publishable-key', 'page');
	await dialog.test();
	expect(await dialog.failure()).toMatch(/publishable key/);

	await dialog.fill('secretKey', stack().sandbox.secretKey);
	await dialog.save();
	await dialog.waitClosed(); // n8n closes the dialog once a new credential's test passes
	const reopened = await CredentialDialog.editSelected(page());
	await reopened.test();
	expect(await reopened.success()).toBe('Connection tested successfully');
	await reopened.close();
});

it('the customer picker, From List, finds the sandbox\'s customers matching "acme"', async () => {
	await page().getByTestId('rlc-input').click();
	await page().getByTestId('rlc-search').fill('acme');
	const items = page().locator('[data-test-id="rlc-item"]:visible');
	await items.filter({ hasText: 'Acme GmbH' }).waitFor();
	const acme = stack().customers.filter((customer) => /acme/i.test(`${customer.name} ${customer.email}`));
	expect((await items.allInnerTexts()).sort()).toEqual(acme.map((c) => `${c.name} <${c.email}> (${c.id})`).sort());
	await items.filter({ hasText: ACME_GMBH }).click();
	await expect(page().getByTestId('rlc-input').inputValue()).resolves.toContain(ACME_GMBH);
});

it('Execute step with Credit the Customer, Amount 10 and Currency EUR: the output shows the credit, -1000 cents, and the ending balance', async () => {
	const before = stack().sandbox.customer(ACME_GMBH)!.balance;
	await setText(page(), 'amount', '10');
	await setText(page(), 'currency', 'EUR');
	await screenshot('node-panel', 'panel');
	await page().getByTestId('node-execute-button').click();
	const json = await outputJson(page());
	expect(json).toContain('"object": "customer_balance_transaction"');
	expect(json).toContain('"amount": -1000, "direction": "credit",');
	expect(json).toContain('"currency": "eur"');
	expect(json).toContain(`"customer": "${ACME_GMBH}"`);
	expect(json).toContain(`"ending_balance": ${before - 1000},`);
	expect(stack().sandbox.customer(ACME_GMBH)!.balance).toBe(before - 1000);
	await screenshot('node-output', 'panel');
});

it('Amount -12.50 with Credit the Customer shows the node\'s error, naming the field and saying why', async () => {
	const sent = stack().sandbox.transactions().length;
	await setText(page(), 'amount', '-12.50');
	await page().getByTestId('node-execute-button').click();
	const message = page().getByTestId('node-error-message');
	await message.waitFor();
	expect(await message.innerText()).toMatch(/^Invalid Amount in item 0: is negative \(-12\.5\) while Direction is "Credit the Customer"/);
	expect(await page().getByTestId('node-error-description').innerText()).toMatch(/choose Direction: Signed Amount/);
	expect(stack().sandbox.transactions().length).toBe(sent);
	await screenshot('node-error', 'panel');
});

it('in dark mode the editor serves the dark icon', async () => {
	await page().emulateMedia({ colorScheme: 'dark' });
	await openNewWorkflow(page(), stack().editorUrl);
	const entry = await searchNodeCreator(page(), NODE);
	expect(await loadedIcon(entry)).toEqual({ src: expect.stringMatching(/\/dist\/icons\/stripe\.dark\.svg$/), loaded: true });
});

it('Customer By Email: an email in other letter case finds the customer; the output shows the credit', async () => {
	const acme = stack().customers.find((customer) => customer.id === ACME_GMBH)!;
	const before = stack().sandbox.customer(ACME_GMBH)!.balance;
	await page().emulateMedia({ colorScheme: 'light' });
	await openNewWorkflow(page(), stack().editorUrl);
	await (await searchNodeCreator(page(), NODE)).click();
	await pickAction(page(), 'Create a customer balance transaction');
	await page().getByTestId('rlc-mode-selector').click();
	await page().locator('[data-test-id^="mode-"]:visible').filter({ hasText: 'By Email' }).click();
	const email = page().getByTestId('rlc-input');
	await email.fill(String(acme.email).toUpperCase());
	await email.blur();
	await setText(page(), 'amount', '5'); // version 2: Credit the Customer, as written
	await setText(page(), 'currency', 'EUR');
	await page().getByTestId('node-execute-button').click();
	const json = await outputJson(page());
	expect(json).toContain(`"customer": "${ACME_GMBH}"`);
	expect(json).toContain('"amount": -500,');
	expect(stack().sandbox.customer(ACME_GMBH)!.balance).toBe(before - 500);
	await screenshot('by-email', 'panel');
});

it('a new node opens at version 2: Credit or Debit above Amount, a hint with the unit and direction, the idempotency notice', async () => {
	await page().emulateMedia({ colorScheme: 'light' });
	await openNewWorkflow(page(), stack().editorUrl);
	await (await searchNodeCreator(page(), NODE)).click();
	await pickAction(page(), 'Create a customer balance transaction');
	const ndv = page().getByTestId('ndv');
	await expect(ndv.getByText(/Stripe Customer Balance node version \d/).first().textContent()).resolves.toMatch(/node version 2\b/);
	const labels = await fieldLabels(page());
	expect(labels.indexOf('Direction')).toBe(labels.indexOf('Amount') - 1);
	expect(await optionsOf(page(), page().getByTestId('parameter-input-direction'))).toEqual(['Credit the Customer', 'Debit the Customer', 'Signed Amount']);
	const hint = ndv.getByText(/^As written in the currency \(10\.50 EUR is 10\.50\), /);
	await expect(hint.innerText()).resolves.toMatch(/credited to the customer/);
	await choose(page(), 'direction', 'Debit the Customer');
	await expect(hint.innerText()).resolves.toMatch(/debited: it adds to what the customer owes/);
	await choose(page(), 'direction', 'Credit the Customer');
	await expect(ndv.innerText()).resolves.toMatch(/Set Options > Idempotency Key from the record's ID/);

	await page().getByTestId('rlc-input').click();
	await page().getByTestId('rlc-search').fill('acme');
	await page().locator('[data-test-id="rlc-item"]:visible').filter({ hasText: ACME_GMBH }).click();
	await setText(page(), 'amount', '10');
	await setText(page(), 'currency', 'EUR');
	const before = stack().sandbox.customer(ACME_GMBH)!.balance;
	await page().getByTestId('node-execute-button').click();
	expect(await outputJson(page())).toContain('"amount": -1000, "direction": "credit",');
	expect(stack().sandbox.customer(ACME_GMBH)!.balance).toBe(before - 1000);
	await screenshot('create-v2', 'panel');
});

it('the node creator finds "Stripe Customer Balance Trigger" for a new workflow; its panel says what publishing does', async () => {
	await page().emulateMedia({ colorScheme: 'light' });
	await openNewWorkflow(page(), stack().editorUrl);
	// The trigger panel lists the package's nodes under one name, "Stripe Customer Balance", with the trigger's description.
	const entry = await searchNodeCreator(page(), 'Stripe Customer Balance');
	await expect(entry.getByTestId('node-creator-item-description').innerText()).resolves.toMatch(/^Starts the workflow when a Stripe customer's balance changes/);
	await entry.click();
	await page().getByTestId('node-creator-item-name').filter({ hasText: 'On balance changed' }).click();
	const ndv = page().getByTestId('ndv');
	await ndv.waitFor();
	expect(await fieldLabels(page())).toEqual(expect.arrayContaining(['Credential', 'Event', 'Changes']));
	await expect(ndv.innerText()).resolves.toMatch(/creates one webhook endpoint in your Stripe account/);
	// A new trigger is version 2: Changes is judged by the transaction that caused the change (Credits Given, not debts paid down).
	expect(await optionsOf(page(), page().getByTestId('parameter-input-changes'))).toEqual(['Any Change', 'Credits Given', 'Debits Made']);
	await screenshot('trigger-panel', 'panel');
});

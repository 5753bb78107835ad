/**
 * Check Only (Send Nothing) in the editor, in a real browser against the real n8n (what `npm run dev` sets up): the
 * recipe's node says so on the canvas (its subtitle), its panel shows the control under Options, and running the
 * workflow from the canvas writes nothing to the Stripe sandbox. Saves docs/images/check-only.png.
 * Run with `npm run test:browser` (or jest --testPathPattern test/browser/checkOnly after a build).
 */
import { join } from 'node:path';

import { IMAGES, useSignedInEditor } from './signedInEditor';

jest.setTimeout(10 * 60_000);

const WORKFLOW_ID = 'exCheckOnlyCrm01';
const NODE = 'Credit customer balance';

const { stack, ui } = useSignedInEditor();
const page = () => ui().page;

it('the canvas says "Check only, sends nothing"; the panel shows the control; a run from the canvas writes nothing', async () => {
	await page().goto(`${stack().editorUrl}/workflow/${WORKFLOW_ID}`);
	const node = page().getByTestId('canvas-node').filter({ hasText: NODE });
	await node.waitFor();
	await expect(node.innerText()).resolves.toMatch(/Check only, sends nothing: Credit customer balance/);

	const posts = () => stack().sandbox.requests.filter((request) => request.method === 'POST').length;
	const postsBefore = posts();
	const transactionsBefore = stack().sandbox.transactions().length;
	await page().getByTestId('execute-workflow-button').click();
	await node.getByTestId('canvas-node-status-success').waitFor();
	expect(posts()).toBe(postsBefore);
	expect(stack().sandbox.transactions().length).toBe(transactionsBefore);

	await node.dblclick();
	const ndv = page().getByTestId('ndv');
	await ndv.getByText('Check Only (Send Nothing)').first().waitFor();
	const output = page().getByTestId('output-panel');
	await output.getByTestId('radio-button-json').click();
	await output.getByTestId('ndv-data-container').getByText('"checkOnly"').first().waitFor();
	expect((await output.getByTestId('ndv-data-container').innerText()).replace(/\s+/g, ' ')).toContain('"checkOnly": true');
	// The picture shows the control itself (under Options) beside the output.
	await ndv.getByText('Check Only (Send Nothing)').first().scrollIntoViewIfNeeded();
	await page().mouse.move(0, 0);
	await page().evaluate('document.fonts.ready.then(() => new Promise((drawn) => requestAnimationFrame(() => requestAnimationFrame(drawn))))');
	await ndv.screenshot({ path: join(IMAGES, 'check-only.png'), animations: 'disabled', style: '.el-notification { display: none !important; }' });
});

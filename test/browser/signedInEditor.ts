/**
 * The browser suites' fixture: the editor stack `npm run dev` opens (scripts/n8n/editorStack.ts, with the package packed
 * once for this jest run), chromium on it, and the owner signed in. Registers jest's beforeAll and afterAll.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

import { DEFAULT_OWNER, REPO_ROOT, provision, startEditorStack, type EditorStack } from '../../scripts/n8n';
import { packedPackage } from '../shared/packOnce';
import { launchEditorBrowser, type EditorBrowser } from './browser';
import { signIn } from './editor';

/** Where the suites save the README's screenshots. */
export const IMAGES = join(REPO_ROOT, 'docs', 'images');

export function useSignedInEditor(): { stack: () => EditorStack; ui: () => EditorBrowser } {
	let stack: EditorStack | undefined;
	let ui: EditorBrowser | undefined;
	beforeAll(async () => {
		mkdirSync(IMAGES, { recursive: true });
		stack = await startEditorStack({ runtime: await provision(), owner: DEFAULT_OWNER, credentialName: 'Stripe sandbox', tarball: packedPackage().tarball });
		ui = await launchEditorBrowser();
		await signIn(ui.page, stack.editorUrl, DEFAULT_OWNER);
	});
	afterAll(async () => {
		try {
			await ui?.browser.close();
		} finally {
			await stack?.stop();
		}
	});
	return {
		stack: () => {
			if (!stack) throw new Error('the editor stack did not start');
			return stack;
		},
		ui: () => {
			if (!ui) throw new Error('the browser did not start');
			return ui;
		},
	};
}

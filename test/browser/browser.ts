/**
 * Debian's chromium driven by playwright-core (browsers cannot be downloaded here: scripts/install-chromium.sh
 * installs it). External pages (n8n's links to docs) are answered by a stub and recorded, since there is no internet.
 */
import { existsSync } from 'node:fs';
import { chromium, selectors, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** The editor loads slowly on a busy 2-core machine; nothing here is about speed. */
export const PATIENCE_MS = 90_000;

export interface EditorBrowser {
	browser: Browser;
	context: BrowserContext;
	page: Page;
	/** URLs outside n8n that the editor tried to open (answered by a stub page). */
	externalRequests: string[];
}

export async function launchEditorBrowser(): Promise<EditorBrowser> {
	if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run scripts/install-chromium.sh`);
	// n8n marks its elements with data-test-id, not playwright's default data-testid
	selectors.setTestIdAttribute('data-test-id');
	const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
	const context = await browser.newContext({ viewport: { width: 1440, height: 860 }, colorScheme: 'light' });
	context.setDefaultTimeout(PATIENCE_MS);
	const externalRequests: string[] = [];
	await context.route(
		(url) => !['localhost', '127.0.0.1'].includes(url.hostname) && url.protocol.startsWith('http'),
		async (route) => {
			externalRequests.push(route.request().url());
			await route.fulfill({ status: 200, contentType: 'text/html', body: '<title>external page (stub)</title>' });
		},
	);
	const page = await context.newPage();
	return { browser, context, page, externalRequests };
}

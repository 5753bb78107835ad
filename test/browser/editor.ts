/** What a person does in n8n's editor, one small step each (n8n 2.40's markup: its data-test-id attributes). */
import type { Locator, Page } from 'playwright-core';

import type { OwnerAccount } from '../../scripts/n8n';

export async function signIn(page: Page, editorUrl: string, owner: OwnerAccount): Promise<void> {
	await page.goto(`${editorUrl}/signin`);
	await page.getByLabel('Email').fill(owner.email);
	await page.getByLabel('Password').fill(owner.password);
	await page.getByRole('button', { name: 'Sign in' }).click();
	await page.waitForURL((url) => !url.pathname.startsWith('/signin'));
}

export async function openNewWorkflow(page: Page, editorUrl: string): Promise<void> {
	await page.goto(`${editorUrl}/workflow/new`);
	await page.getByTestId('canvas-plus-button').click();
}

/** Types into the node creator's search and returns the matching node's entry. */
export async function searchNodeCreator(page: Page, text: string): Promise<Locator> {
	await page.getByTestId('node-creator-search-bar').fill(text);
	const entry = page.getByTestId('node-creator-action-item').filter({ hasText: text });
	await entry.waitFor();
	return entry;
}

/**
 * Picks one of a node's actions in the node creator. When the node has a trigger too (the package's trigger), the
 * trigger panel of a new workflow lists the triggers and keeps the actions folded: unfold them first.
 */
export async function pickAction(page: Page, action: string): Promise<void> {
	const foldedActions = page.locator('[data-category-collapsed="true"]').getByTestId('node-creator-category-item').filter({ hasText: /^Actions/ });
	await page.getByTestId('node-creator-category-item').first().waitFor();
	if ((await foldedActions.count()) > 0) await foldedActions.first().click();
	await page.getByTestId('node-creator-item-name').filter({ hasText: action }).click();
}

/** What the code below reads of a DOM <img> (this project compiles without the DOM library). */
interface ImageElement {
	src: string;
	complete: boolean;
	naturalWidth: number;
	decode(): Promise<void>;
}

/** The icon an element shows, once the browser has loaded it: its URL and whether it decoded to an image. */
export async function loadedIcon(element: Locator): Promise<{ src: string; loaded: boolean }> {
	const img = element.locator('img').first();
	await img.waitFor();
	return await img.evaluate(async (image: ImageElement) => {
		await image.decode().catch(() => undefined);
		return { src: image.src, loaded: image.complete && image.naturalWidth > 0 };
	});
}

/** The labels of the node panel's parameters, as shown, top to bottom. */
export async function fieldLabels(page: Page): Promise<string[]> {
	const labels = await page.getByTestId('node-parameters').locator('label:visible').allInnerTexts();
	return labels.map(firstLine);
}

/** Opens a dropdown parameter (resource, operation, …) and picks the option whose title is `option`. */
export async function choose(page: Page, parameter: string, option: string): Promise<void> {
	await page.getByTestId(`parameter-input-${parameter}`).click();
	const options = visibleOptions(page);
	await options.first().waitFor();
	const titles = (await options.allInnerTexts()).map(firstLine);
	if (!titles.includes(option)) throw new Error(`${parameter} offers ${titles.join(', ')}; not ${option}`);
	await options.nth(titles.indexOf(option)).click();
	await options.first().waitFor({ state: 'hidden' });
}

export function visibleOptions(page: Page): Locator {
	return page.locator('[role="option"]:visible');
}

/** An option's title: the first line of its text (the rest is its description). */
function firstLine(text: string): string {
	return text.split('\n')[0].trim();
}

/** The titles of the options a dropdown (a collection's Add Field, a locator's mode) offers; closes it again. */
export async function optionsOf(page: Page, opener: Locator, option = '[role="option"]'): Promise<string[]> {
	await opener.click();
	const options = page.locator(`${option}:visible`);
	await options.first().waitFor();
	const titles = (await options.allInnerTexts()).map(firstLine);
	await page.keyboard.press('Escape');
	await options.first().waitFor({ state: 'hidden' });
	return titles;
}

/** Types a value and leaves the field, as a person does before pressing Execute step. */
export async function setText(page: Page, parameter: string, value: string): Promise<void> {
	const input = page.getByTestId(`parameter-input-${parameter}`).locator('input').first();
	await input.fill(value);
	await input.blur();
}

/** The output panel's text in its JSON view, whitespace collapsed (`"amount": 1250,`), after a successful run. */
export async function outputJson(page: Page): Promise<string> {
	const output = page.getByTestId('output-panel');
	await output.getByTestId('node-run-status-success').waitFor();
	await output.getByTestId('radio-button-json').click();
	const data = output.getByTestId('ndv-data-container');
	await data.getByText('"object"').first().waitFor();
	return (await data.innerText()).replace(/\s+/g, ' ');
}

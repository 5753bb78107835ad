/** n8n's credential dialog, opened from the node panel's Credential field. */
import type { Locator, Page } from 'playwright-core';

export class CredentialDialog {
	private constructor(
		private readonly page: Page,
		private readonly dialog: Locator,
	) {}

	/** Credential > Create new credential. */
	static async createNew(page: Page): Promise<CredentialDialog> {
		await page.getByTestId('node-credentials-select').click();
		await page.getByTestId('node-credentials-select-item-new').click();
		return await CredentialDialog.opened(page);
	}

	/** The pencil next to the Credential field. */
	static async editSelected(page: Page): Promise<CredentialDialog> {
		await page.getByTestId('credential-edit-button').click();
		return await CredentialDialog.opened(page);
	}

	private static async opened(page: Page): Promise<CredentialDialog> {
		const dialog = page.getByTestId('editCredential-modal');
		await dialog.waitFor();
		return new CredentialDialog(page, dialog);
	}

	async fill(field: 'secretKey' | 'baseUrl', value: string): Promise<void> {
		await this.dialog.getByTestId(`parameter-input-${field}`).locator('input').fill(value);
	}

	/**
	 * Save: n8n saves the credential, then runs its test; resolves when the test has answered. Save stays disabled (by
	 * a class, which a click ignores) until the dialog has taken in the edited field, so wait for it to be enabled.
	 */
	async save(): Promise<void> {
		const enabled = this.dialog
			.getByTestId('credential-save-button')
			.locator('xpath=descendant-or-self::button[not(@disabled) and not(contains(@class, "is-disabled"))]');
		await this.untilTested(async () => await enabled.click());
	}

	/** The Test button of the result banner ("Retry credential test"); resolves when the test has answered. */
	async test(): Promise<void> {
		await this.untilTested(async () => await this.dialog.getByTitle('Retry credential test').filter({ visible: true }).click());
	}

	private async untilTested(action: () => Promise<void>): Promise<void> {
		const tested = this.page.waitForResponse((response) => new URL(response.url()).pathname === '/rest/credentials/test');
		await Promise.all([tested, action()]);
	}

	/** The failed test's banner, with "More details" opened: n8n's headline and the credential's own message. */
	async failure(): Promise<string> {
		await this.dialog.getByText('Couldn’t connect with these settings').waitFor();
		const details = this.dialog.getByText('More details');
		if (await details.isVisible()) await details.click();
		return (await this.dialog.locator('.el-tag:visible').filter({ hasText: 'Couldn’t connect' }).innerText()).replace(/\s+/g, ' ');
	}

	/** The passed test's message. */
	async success(): Promise<string> {
		const banner = this.dialog.getByTestId('credentials-config-container-test-success');
		const message = banner.getByText('Connection tested successfully');
		await message.waitFor({ state: 'visible' });
		return (await message.innerText()).trim();
	}

	async waitClosed(): Promise<void> {
		await this.dialog.waitFor({ state: 'hidden' });
	}

	async close(): Promise<void> {
		await this.dialog.getByLabel('Close this dialog').click();
		await this.waitClosed();
	}
}

/**
 * Environment for n8n-core, applied before n8n-core is loaded.
 *
 * Import this module before anything that imports n8n-core or n8n-workflow: n8n-core resolves its config
 * (and writes `<N8N_USER_FOLDER>/.n8n/config`) from process.env, so the user folder must point at a
 * throwaway directory first.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const REUSE_KEY = 'N8N_ENGINE_HARNESS_USER_FOLDER';

function userFolder(): string {
	const existing = process.env[REUSE_KEY];
	if (existing && existsSync(existing)) return existing;
	const folder = mkdtempSync(join(tmpdir(), 'n8n-engine-harness-'));
	process.env[REUSE_KEY] = folder;
	const remove = () => rmSync(folder, { recursive: true, force: true });
	// Under jest the test file's `process` is a sandbox whose 'exit' never fires: clean up after the file instead.
	try {
		if (typeof afterAll !== 'function') throw new Error('not under jest');
		afterAll(remove);
	} catch {
		process.once('exit', remove); // outside jest, or imported from inside a running test
	}
	return folder;
}

export const USER_FOLDER = userFolder();

process.env.N8N_USER_FOLDER = USER_FOLDER;
process.env.N8N_DIAGNOSTICS_ENABLED = 'false';
process.env.N8N_VERSION_NOTIFICATIONS_ENABLED = 'false';
// The config file lives in a private temp folder: skip n8n-core's permission check on it.
process.env.N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS = 'false';

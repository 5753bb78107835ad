/**
 * jest's globalSetup: `npm pack` of the built package once per jest run, for the suites that install it into the real
 * n8n (test/e2e, test/queue, test/browser). The tarball goes to a temp folder whose description (PackedPackage as
 * JSON) is named by PACKED_PACKAGE_ENV; jest's workers inherit it, and packedPackage() reads it. A run that selects none
 * of those suites packs nothing. packOnce.teardown.ts removes the folder.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { packPackage, type PackedPackage } from '../../scripts/n8n/package';
import { REPO_ROOT } from '../../scripts/n8n/runtime';

export const PACKED_PACKAGE_ENV = 'STRIPE_CB_PACKED_PACKAGE';

const REAL_N8N_SUITES = ['e2e', 'queue', 'browser'].map((kind) => join(REPO_ROOT, 'test', kind));

function testFilesUnder(folder: string): string[] {
	return readdirSync(folder, { recursive: true, encoding: 'utf8' })
		.filter((file) => file.endsWith('.test.ts'))
		.map((file) => join(folder, file));
}

/** Whether the run's path patterns (jest's, matched against absolute paths) select a suite that installs the package. */
function selectsRealN8n(pattern: string): boolean {
	if (!pattern) return true;
	const selects = new RegExp(pattern, 'i');
	return REAL_N8N_SUITES.flatMap(testFilesUnder).some((file) => selects.test(file));
}

export default async function packOnce(globalConfig: { testPathPattern: string }): Promise<void> {
	if (!selectsRealN8n(globalConfig.testPathPattern)) return;
	const folder = await mkdtemp(join(tmpdir(), 'stripe-cb-packed-'));
	const described = join(folder, 'packed.json');
	await writeFile(described, JSON.stringify(await packPackage(folder)));
	process.env[PACKED_PACKAGE_ENV] = described;
}

/** The package this jest run packed (env PACK_FROM, a staging build, or this repository's dist). */
export function packedPackage(): PackedPackage {
	const described = process.env[PACKED_PACKAGE_ENV];
	if (!described) throw new Error(`nothing packed for this run: jest's globalSetup (test/shared/packOnce.ts) did not pack`);
	return JSON.parse(readFileSync(described, 'utf8')) as PackedPackage;
}

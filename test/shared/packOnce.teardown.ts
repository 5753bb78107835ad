/** jest's globalTeardown: removes the folder packOnce.ts packed into. */
import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';

import { PACKED_PACKAGE_ENV } from './packOnce';

export default async function removePacked(): Promise<void> {
	const described = process.env[PACKED_PACKAGE_ENV];
	if (described) await rm(dirname(described), { recursive: true, force: true });
}

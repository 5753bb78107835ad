// Runs n8n's own community-package analyzer (@n8n/scan-community-package) the way its scanner does for a release:
// the source checkout with SOURCE_FILE_PATTERNS, and the packed tarball's compiled .js and package.json.
// Usage: node scripts/scan-package.mjs [--source DIR] [--packed DIR]; prints one JSON line per scan, exits 1 on failure.
import { resolve } from 'node:path';

import { analyzePackage, SOURCE_FILE_PATTERNS } from '@n8n/scan-community-package/scanner/scanner.mjs';

const args = process.argv.slice(2);
const option = (name) => {
	const index = args.indexOf(name);
	return index === -1 ? undefined : resolve(args[index + 1]);
};

const scans = [
	['source', option('--source'), SOURCE_FILE_PATTERNS],
	['packed', option('--packed'), ['**/*.js', 'package.json']],
].filter(([, dir]) => dir);

let failed = false;
for (const [name, dir, patterns] of scans) {
	const result = await analyzePackage(dir, patterns);
	failed ||= !result.passed;
	console.log(JSON.stringify({ scan: name, dir, passed: result.passed, message: result.message, details: result.details }));
}
process.exit(failed ? 1 : 0);

/** @type {import('jest').Config} */
module.exports = {
	testEnvironment: 'node',
	testMatch: ['<rootDir>/test/**/*.test.ts'],
	// The heavy suites have scripts of their own (npm run test:queue, test:compat, test:browser); `npm test` leaves them out.
	testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/(queue|compat|browser)/'],
	// n8n-node lint stages a copy of package.json there.
	modulePathIgnorePatterns: ['<rootDir>/.tmp/'],
	// Type-checking is `npm run typecheck`; here TypeScript is only transpiled, which keeps the suite fast.
	transform: { '^.+\\.ts$': ['ts-jest', {}] },
	testTimeout: 60_000,
	// The real-n8n suites (e2e, queue, browser) install the package packed once per run (test/shared/packOnce.ts).
	globalSetup: '<rootDir>/test/shared/packOnce.ts',
	globalTeardown: '<rootDir>/test/shared/packOnce.teardown.ts',
};

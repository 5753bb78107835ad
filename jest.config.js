/** @type {import('jest').Config} */
module.exports = {
	testEnvironment: 'node',
	testMatch: ['<rootDir>/test/**/*.test.ts'],
	// Type-checking is `npm run typecheck`; here TypeScript is only transpiled, which keeps the suite fast.
	transform: { '^.+\\.ts$': ['ts-jest', {}] },
	testTimeout: 60_000,
};

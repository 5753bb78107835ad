/**
 * The sandbox in a process of its own (forked by remote.ts), so that the sandbox's CPU and its clock never share
 * an event loop with the client being measured (bench, pacing tests). Answers IPC requests `{ id, op, args }` with `{ id, result }` or `{ id, error }`.
 */
import { startSandbox, type Sandbox, type SandboxFaults } from './index';

export type SandboxOp =
	| { op: 'setFaults'; args: Partial<SandboxFaults> }
	| { op: 'reset'; args?: undefined }
	| { op: 'createCustomers'; args: { count: number; currency?: string } }
	| { op: 'createCustomersWithEmails'; args: { emails: string[]; currency?: string } }
	| { op: 'stats'; args?: undefined }
	| { op: 'transactions'; args?: undefined }
	| { op: 'balances'; args: { ids: string[] } }
	| { op: 'requestSummary'; args?: undefined }
	| { op: 'timeline'; args?: undefined }
	| { op: 'close'; args?: undefined };

export interface RequestSummary {
	total: number;
	posts: number;
	byStatus: Record<string, number>;
	replayed: number;
}

function summarize(sandbox: Sandbox): RequestSummary {
	const byStatus: Record<string, number> = {};
	let posts = 0;
	let replayed = 0;
	for (const request of sandbox.requests) {
		if (request.method === 'POST') posts += 1;
		if (request.replayed) replayed += 1;
		const status = request.status === null ? 'dropped/none' : String(request.status);
		byStatus[status] = (byStatus[status] ?? 0) + 1;
	}
	return { total: sandbox.requests.length, posts, byStatus, replayed };
}

async function main(): Promise<void> {
	const sandbox = await startSandbox();
	const handle = async (message: SandboxOp): Promise<unknown> => {
		switch (message.op) {
			case 'setFaults':
				sandbox.setFaults(message.args);
				return null;
			case 'reset':
				sandbox.reset();
				return null;
			case 'createCustomers':
				return Array.from({ length: message.args.count }, () => sandbox.createCustomer({ currency: message.args.currency ?? null }).id);
			case 'createCustomersWithEmails':
				return message.args.emails.map((email) => sandbox.createCustomer({ email, currency: message.args.currency ?? null }).id);
			case 'stats':
				return { ...sandbox.stats };
			case 'transactions':
				return sandbox.transactions().map(({ id, amount, customer, ending_balance, metadata, created }) => ({
					id,
					amount,
					customer,
					ending_balance,
					metadata,
					created,
				}));
			case 'balances':
				return message.args.ids.map((id) => sandbox.customer(id)?.balance ?? null);
			case 'requestSummary':
				return summarize(sandbox);
			case 'timeline':
				return sandbox.requests.map((request) => [request.at, request.status ?? 0, request.replayed ? 1 : 0, request.path, request.endpoint ?? '']);
			case 'close':
				await sandbox.close();
				setImmediate(() => process.exit(0));
				return null;
		}
	};
	process.on('message', (raw: { id: number } & SandboxOp) => {
		handle(raw).then(
			(result) => process.send?.({ id: raw.id, result }),
			(error: unknown) => process.send?.({ id: raw.id, error: error instanceof Error ? error.message : String(error) }),
		);
	});
	process.on('disconnect', () => process.exit(0));
	process.send?.({ ready: true, url: sandbox.url, secretKey: sandbox.secretKey });
}

main().catch((error: unknown) => {
	console.error(error);
	process.exit(1);
});

/**
 * Runs the sandbox on its own: `npx tsx test/sandbox/cli.ts --port 12111`
 * Options: --port N, --host H, --key sk_test_..., --latency-ms N, --rate-limit N (per second), --seed N,
 *   --key-ttl-ms N (idempotency keys forgotten N ms after their request, as Stripe may after 24 hours),
 *   --live-mode-limits (Stripe's live-mode limits, 100/s globally, for the test key)
 */
import { startSandbox } from './index';

/** Options that take no value. */
const FLAGS = new Set(['live-mode-limits']);

function readOptions(argv: string[]): Map<string, string> {
  const options = new Map<string, string>();
  for (let index = 0; index < argv.length; index++) {
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(argv[index]);
    if (!match) throw new Error(`unexpected argument '${argv[index]}'`);
    if (FLAGS.has(match[1])) options.set(match[1], match[2] ?? 'true');
    else options.set(match[1], match[2] ?? argv[++index] ?? '');
  }
  return options;
}

function numberOption(options: Map<string, string>, name: string): number | undefined {
  const value = options.get(name);
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed)) throw new Error(`--${name} needs a number`);
  return parsed;
}

async function seedExamples(url: string, secretKey: string, sandbox: Awaited<ReturnType<typeof startSandbox>>) {
  const ada = sandbox.createCustomer({ id: 'cus_Sandbox0000001', email: 'ada@example.com', name: 'Ada Lovelace' });
  const grace = sandbox.createCustomer({ id: 'cus_Sandbox0000002', email: 'grace@example.com', name: 'Grace Hopper', currency: 'eur', balance: 0 });
  const alan = sandbox.createCustomer({ id: 'cus_Sandbox0000003', email: 'alan@example.com', name: 'Alan Turing' });
  // Seeded through the API itself, so the example history is exactly what a client would have produced.
  const credit = (customer: string, amount: number, currency: string, description: string) =>
    fetch(`${url}/v1/customers/${customer}/balance_transactions`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${secretKey}`, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ amount: String(amount), currency, description }),
    });
  await credit(ada.id, -500, 'usd', 'Welcome credit');
  await credit(grace.id, -2500, 'eur', 'Goodwill credit');
  await credit(grace.id, 1000, 'eur', 'Partial reversal');
  return [ada, grace, alan].map((customer) => sandbox.customer(customer.id)!);
}

async function main(): Promise<void> {
  const options = readOptions(process.argv.slice(2));
  const sandbox = await startSandbox({
    port: numberOption(options, 'port') ?? 12111,
    host: options.get('host') ?? '127.0.0.1',
    secretKey: options.get('key'),
  });
  const customers = await seedExamples(sandbox.url, sandbox.secretKey, sandbox);
  const latencyMs = numberOption(options, 'latency-ms');
  const rateLimitPerSecond = numberOption(options, 'rate-limit');
  const seed = numberOption(options, 'seed');
  const idempotencyKeyTtlMs = numberOption(options, 'key-ttl-ms');
  const liveModeLimits = options.get('live-mode-limits');
  if (liveModeLimits !== undefined && liveModeLimits !== 'true' && liveModeLimits !== 'false') throw new Error('--live-mode-limits takes no value, or true / false');
  sandbox.setFaults({
    ...(liveModeLimits !== undefined && { liveModeLimits: liveModeLimits === 'true' }),
    ...(latencyMs !== undefined && { latencyMs }),
    ...(rateLimitPerSecond !== undefined && { rateLimitPerSecond }),
    ...(seed !== undefined && { seed }),
    ...(idempotencyKeyTtlMs !== undefined && { idempotencyKeyTtlMs }),
  });

  console.log(`Local Stripe sandbox listening on ${sandbox.url}`);
  console.log(`Secret key: ${sandbox.secretKey}`);
  if (liveModeLimits === 'true') console.log("Rate limits: Stripe's live mode (100 requests/s globally)");
  for (const customer of customers) {
    console.log(`  ${customer.id}  ${customer.email}  balance ${customer.balance} ${customer.currency ?? '(no currency)'}`);
  }
  console.log('Press Ctrl+C to stop.');

  const stop = () => {
    sandbox.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});

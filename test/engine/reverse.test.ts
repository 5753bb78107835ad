/**
 * Customer Balance Transaction > Reverse (version 2): the opposite transaction written once and linked both ways; each
 * refusal named and nothing sent; a second Reverse refused also once Stripe forgot the idempotency keys; n8n's retry of
 * the run that wrote it given its reversal back; a crash between the write and the link completed on the next run;
 * Check Only; a part, never more than is left. And Get Many's metadata filter, which finds a bulk run's transactions.
 */
import { byId, runStripe, useSandbox, writesTo, type Sandbox } from './support';

const sandbox = useSandbox();
const V2 = { typeVersion: 2 };
const continueOnError = { ...V2, onError: 'continueRegularOutput' as const };

function reverse(extra: Record<string, unknown> = {}) {
	return {
		resource: 'customerBalanceTransaction',
		operation: 'reverse',
		customer: byId('={{ $json.customer }}'),
		transactionId: '={{ $json.transaction }}',
		...extra,
	};
}

/** A 10 EUR credit written by the API (an adjustment), and its customer. */
function credited(of: Sandbox, amount = -1000) {
	const customer = of.createCustomer({ email: 'jane@acme.com', name: 'Jane' }).id;
	const original = of.createTransaction(customer, { amount, currency: 'eur', description: 'Goodwill', metadata: { batch: 'b1' } });
	return { customer, original };
}

/**
 * Jane's credit and Bob's debit, to be reversed in that order (Concurrency 1): Bob's reversal fails once, after Jane's
 * was written, so the node fails with one reversal made.
 */
function secondFailsOnce(of: Sandbox) {
	const first = credited(of);
	const bob = of.createCustomer({ email: 'bob@acme.com' }).id;
	const second = of.createTransaction(bob, { amount: 500, currency: 'usd' });
	of.setFaults({ script: [{ fault: 'should-retry-false-500', method: 'POST', pathIncludes: `/v1/customers/${bob}/balance_transactions` }] });
	const items = [
		{ customer: first.customer, transaction: first.original.id },
		{ customer: bob, transaction: second.id },
	];
	return { first, second, items };
}

const reversalsOf = (of: Sandbox, id: string) => of.transactions().filter((transaction) => transaction.metadata?.n8n_reverses === id);
const stored = (of: Sandbox, id: string) => of.transactions().find((transaction) => transaction.id === id);

describe('Reverse', () => {
	it('writes the opposite amount in the same currency once, under a key from the original, and links both ways', async () => {
		const { customer, original } = credited(sandbox());
		const result = await runStripe(sandbox(), [{ customer, transaction: original.id }], reverse(), V2);

		expect(result.status).toBe('success');
		const [reversal] = reversalsOf(sandbox(), original.id);
		expect(reversal).toMatchObject({ amount: 1000, currency: 'eur', type: 'adjustment', description: `Reversal of ${original.id}: Goodwill` });
		expect(reversal.metadata).toMatchObject({ n8n_reverses: original.id, n8n_idempotency_key: `n8n-reverse-${original.id}-1` });
		expect(stored(sandbox(), original.id)?.metadata).toEqual({ batch: 'b1', n8n_reversed_by: reversal.id, n8n_reversed_amount: '10.00 EUR' });
		expect(sandbox().customer(customer)?.balance).toBe(0);
		expect(writesTo(sandbox()).map((request) => request.idempotencyKey)).toEqual([`n8n-reverse-${original.id}-1`, expect.stringMatching(`^n8n-reverse-${original.id}-link-`)]);
		expect(result.output('Stripe').map((item) => item.json)).toEqual([
			expect.objectContaining({
				id: reversal.id,
				amount: 1000,
				direction: 'debit',
				reverses: { id: original.id, amount: -1000, currency: 'eur', reversed: 1000, left: 0 },
			}),
		]);
		expect(result.output('Stripe')[0].json.alreadyApplied).toBe(false);
	});

	it('a second Reverse is refused naming the reversal, and still after Stripe forgot the keys; nothing is sent', async () => {
		const { customer, original } = credited(sandbox());
		await runStripe(sandbox(), [{ customer, transaction: original.id }], reverse(), V2);
		const [reversal] = reversalsOf(sandbox(), original.id);
		const writes = writesTo(sandbox()).length;

		const again = await runStripe(sandbox(), [{ customer, transaction: original.id }], reverse(), V2);
		expect(again.status).toBe('error');
		expect(again.error?.message).toBe(`Transaction ${original.id} is already reversed by ${reversal.id}: nothing was sent (item 0)`);

		sandbox().setFaults({ idempotencyKeyTtlMs: 0 });
		const afterKeysForgotten = await runStripe(sandbox(), [{ customer, transaction: original.id }], reverse(), continueOnError);
		expect(afterKeysForgotten.output('Stripe')[0].json).toMatchObject({ code: 'already_reversed', error: expect.stringContaining(reversal.id) });
		expect(writesTo(sandbox())).toHaveLength(writes);
		expect(reversalsOf(sandbox(), original.id)).toHaveLength(1);
		expect(sandbox().customer(customer)?.balance).toBe(0);
	});

	it("a retry of the run that wrote it (Retry On Fail, n8n's Retry: same node context) outputs its reversal as already applied", async () => {
		const { first, second, items } = secondFailsOnce(sandbox());
		const result = await runStripe(sandbox(), items, reverse({ options: { concurrency: 1 } }), { ...V2, retryOnFail: true, maxTries: 2 });

		expect(result.status).toBe('success');
		const [janes] = reversalsOf(sandbox(), first.original.id);
		const [bobs] = reversalsOf(sandbox(), second.id);
		expect(reversalsOf(sandbox(), first.original.id)).toHaveLength(1);
		expect(result.output('Stripe').map((item) => [item.json.id, item.json.alreadyApplied, item.json.amount])).toEqual([
			[janes.id, true, 1000],
			[bobs.id, false, -500],
		]);
		expect(result.output('Stripe')[0].json.appliedAt).toBe(new Date(janes.created * 1000).toISOString());
	});

	it("n8n's Retry of the failed execution, after Stripe forgot the keys: its own reversal given back as already applied, the rest written", async () => {
		const { first, second, items } = secondFailsOnce(sandbox());
		const parameters = reverse({ options: { concurrency: 1 } });
		const failed = await runStripe(sandbox(), items, parameters, V2);
		expect(failed.status).toBe('error');

		sandbox().setFaults({ idempotencyKeyTtlMs: 0 });
		const retried = await runStripe(sandbox(), items, parameters, V2, { retryOf: failed });
		expect(retried.status).toBe('success');
		expect(retried.output('Stripe').map((item) => item.json.alreadyApplied)).toEqual([true, false]);
		expect(reversalsOf(sandbox(), first.original.id)).toHaveLength(1);
		expect(reversalsOf(sandbox(), second.id)).toHaveLength(1);

		// Another execution (a re-run in the editor, a second workflow) is refused: it did not write that reversal.
		const other = await runStripe(sandbox(), items.slice(0, 1), parameters, continueOnError);
		expect(other.output('Stripe')[0].json.code).toBe('already_reversed');
	});

	it('a crash between the reversal and the link: the next Reverse finds the reversal, completes the link and writes nothing more', async () => {
		const { customer, original } = credited(sandbox());
		sandbox().setFaults({ script: [{ fault: 'should-retry-false-500', method: 'POST', pathIncludes: `/balance_transactions/${original.id}` }] });
		const crashed = await runStripe(sandbox(), [{ customer, transaction: original.id }], reverse(), V2);
		expect(crashed.status).toBe('error');
		const [reversal] = reversalsOf(sandbox(), original.id);
		expect(stored(sandbox(), original.id)?.metadata).toEqual({ batch: 'b1' });

		// Another execution, after Stripe forgot the keys: only the customer's transactions can tell.
		sandbox().setFaults({ idempotencyKeyTtlMs: 0 });
		const next = await runStripe(sandbox(), [{ customer, transaction: original.id }], reverse(), continueOnError);
		expect(next.output('Stripe')[0].json).toMatchObject({ code: 'already_reversed', error: expect.stringContaining(reversal.id) });
		expect(reversalsOf(sandbox(), original.id)).toHaveLength(1);
		expect(stored(sandbox(), original.id)?.metadata).toMatchObject({ n8n_reversed_by: reversal.id, n8n_reversed_amount: '10.00 EUR' });
		expect(sandbox().customer(customer)?.balance).toBe(0);
	});

	it('a failed link, retried in the same run (Retry On Fail): the reversal is not written again, the link is completed', async () => {
		const { customer, original } = credited(sandbox());
		sandbox().setFaults({ script: [{ fault: 'should-retry-false-500', method: 'POST', pathIncludes: `/balance_transactions/${original.id}` }] });
		const result = await runStripe(sandbox(), [{ customer, transaction: original.id }], reverse(), { ...V2, retryOnFail: true, maxTries: 2 });

		expect(result.status).toBe('success');
		const [reversal] = reversalsOf(sandbox(), original.id);
		expect(reversalsOf(sandbox(), original.id)).toHaveLength(1);
		expect(result.output('Stripe')[0].json).toMatchObject({ id: reversal.id, alreadyApplied: true });
		expect(stored(sandbox(), original.id)?.metadata).toMatchObject({ n8n_reversed_by: reversal.id });
	});

	it("another run's reversal under the same key, not yet listed (two processes at once): refused, not written twice", async () => {
		const { customer, original } = credited(sandbox());
		// Stripe already holds a write under the step's key that this run's list did not show: the other process's.
		const other = await fetch(`${sandbox().url}/v1/customers/${customer}/balance_transactions`, {
			method: 'POST',
			headers: { Authorization: `Bearer ${sandbox().secretKey}`, 'Idempotency-Key': `n8n-reverse-${original.id}-1`, 'Content-Type': 'application/x-www-form-urlencoded' },
			body: 'amount=1000&currency=eur',
		});
		expect(other.status).toBe(200);

		const result = await runStripe(sandbox(), [{ customer, transaction: original.id }], reverse(), continueOnError);
		expect(result.output('Stripe')[0].json).toMatchObject({
			code: 'already_reversed',
			error: `Transaction ${original.id} is being reversed by another run: nothing was sent (item 0)`,
		});
		expect(sandbox().transactions(customer)).toHaveLength(2);
		expect(sandbox().customer(customer)?.balance).toBe(0);
	});

	it('Check Only shows the reversal a real run sends, with the balance after it, and writes nothing (not even the link)', async () => {
		const { customer, original } = credited(sandbox());
		const checked = await runStripe(sandbox(), [{ customer, transaction: original.id }], reverse({ options: { checkOnly: true } }), V2);

		expect(checked.status).toBe('success');
		expect(writesTo(sandbox())).toHaveLength(0);
		expect(checked.output('Stripe').map((item) => item.json)).toEqual([
			expect.objectContaining({
				checkOnly: true,
				method: 'POST',
				path: `/v1/customers/${customer}/balance_transactions`,
				idempotencyKey: `n8n-reverse-${original.id}-1`,
				amount: 1000,
				currency: 'eur',
				balanceNow: -1000,
				balanceAfter: 0,
			}),
		]);
		expect(checked.output('Stripe')[0].json.body).toContain(`amount=1000&currency=eur&description=Reversal%20of%20${original.id}`);

		const real = await runStripe(sandbox(), [{ customer, transaction: original.id }], reverse(), V2);
		expect(real.status).toBe('success');
		expect(writesTo(sandbox())[0].idempotencyKey).toBe(checked.output('Stripe')[0].json.idempotencyKey);
	});

	it("refuses, naming why and sending nothing: an invoice's or a credit note's transaction, a reversal, another customer's, a deleted customer", async () => {
		const { customer, original } = credited(sandbox());
		const invoiced = sandbox().createTransaction(customer, { amount: 1000, currency: 'eur', type: 'applied_to_invoice', invoice: 'in_1MtHbELkdIwHu7ix' });
		const creditNote = sandbox().createTransaction(customer, { amount: -300, currency: 'eur', type: 'credit_note', creditNote: 'cn_1MxvRqLkdIwHu7ix' });
		const reversal = sandbox().createTransaction(customer, { amount: 200, currency: 'eur', metadata: { n8n_reverses: 'cbtxn_Elsewhere01' } });
		const bob = sandbox().createCustomer({ email: 'bob@acme.com' }).id;
		const gone = sandbox().createCustomer({ email: 'gone@acme.com' }).id;
		const goneCredit = sandbox().createTransaction(gone, { amount: -100, currency: 'eur' });
		sandbox().deleteCustomer(gone);
		const items = [
			{ customer, transaction: invoiced.id },
			{ customer, transaction: creditNote.id },
			{ customer, transaction: reversal.id },
			{ customer: bob, transaction: original.id },
			{ customer: gone, transaction: goneCredit.id },
		];
		const result = await runStripe(sandbox(), items, reverse(), continueOnError);

		expect(result.output('Stripe').map((item) => [item.json.code, item.json.error])).toEqual([
			['not_an_adjustment', `Transaction ${invoiced.id} is of type applied_to_invoice (invoice in_1MtHbELkdIwHu7ix), written by Stripe: nothing was sent (item 0)`],
			['not_an_adjustment', `Transaction ${creditNote.id} is of type credit_note (credit note cn_1MxvRqLkdIwHu7ix), written by Stripe: nothing was sent (item 1)`],
			['is_a_reversal', `Transaction ${reversal.id} is itself the reversal of cbtxn_Elsewhere01: nothing was sent (item 2)`],
			['other_customer', `Customer ${bob} has no transaction ${original.id}: nothing was sent (item 3)`],
			['customer_deleted', `Customer ${gone} was deleted: nothing was sent (item 4)`],
		]);
		expect(writesTo(sandbox())).toHaveLength(0);
	});

	it('a part, as written; never more than is left; then the rest; the original names the latest reversal and the sum', async () => {
		const { customer, original } = credited(sandbox());
		const item = [{ customer, transaction: original.id }];
		const part = await runStripe(sandbox(), item, reverse({ amountToReverse: '4' }), V2);
		expect(part.output('Stripe')[0].json).toMatchObject({ amount: 400, reverses: { reversed: 400, left: 600 } });
		expect(stored(sandbox(), original.id)?.metadata).toMatchObject({ n8n_reversed_amount: '4.00 EUR' });

		const tooMuch = await runStripe(sandbox(), item, reverse({ amountToReverse: '6.01' }), continueOnError);
		expect(tooMuch.output('Stripe')[0].json).toMatchObject({
			code: 'amount_too_large',
			error: `Amount to Reverse 6.01 EUR is more than the 6.00 EUR left to reverse of ${original.id}: nothing was sent (item 0)`,
		});
		const badDecimals = await runStripe(sandbox(), item, reverse({ amountToReverse: '1.005' }), continueOnError);
		expect(badDecimals.output('Stripe')[0].json.error).toMatch(/^Invalid Amount to Reverse in item 0: 1.005 EUR has more decimals than EUR allows/);

		const rest = await runStripe(sandbox(), item, reverse(), V2);
		const reversals = reversalsOf(sandbox(), original.id);
		expect(reversals.map((reversal) => [reversal.amount, reversal.metadata?.n8n_idempotency_key])).toEqual([
			[400, `n8n-reverse-${original.id}-1`],
			[600, `n8n-reverse-${original.id}-2`],
		]);
		expect(rest.output('Stripe')[0].json).toMatchObject({ amount: 600, reverses: { reversed: 1000, left: 0 } });
		expect(stored(sandbox(), original.id)?.metadata).toMatchObject({ n8n_reversed_by: reversals[1].id, n8n_reversed_amount: '10.00 EUR' });
		expect(sandbox().customer(customer)?.balance).toBe(0);

		const more = await runStripe(sandbox(), item, reverse({ amountToReverse: '1' }), continueOnError);
		expect(more.output('Stripe')[0].json).toMatchObject({ code: 'already_reversed', error: expect.stringContaining(`${reversals[1].id}, ${reversals[0].id}`) });
	});

	it('is offered from version 2 only: version 1 refuses the operation, naming its values', async () => {
		const { customer, original } = credited(sandbox());
		const result = await runStripe(sandbox(), [{ customer, transaction: original.id }], reverse(), { typeVersion: 1 });
		expect(result.status).toBe('error');
		expect(result.error?.message).toMatch(/Operation/);
		expect(writesTo(sandbox())).toHaveLength(0);
	});
});

describe("Get Many's metadata filter", () => {
	it("finds a bulk run's transactions by the metadata it wrote, applied to the listed transactions, Limit counting matches", async () => {
		const customer = sandbox().createCustomer({}).id;
		const ours = [-100, -200, -300].map((amount) => sandbox().createTransaction(customer, { amount, currency: 'usd', metadata: { batch: 'b1', source: 'crm' } }));
		sandbox().createTransaction(customer, { amount: -400, currency: 'usd', metadata: { batch: 'b2' } });
		sandbox().createTransaction(customer, { amount: -500, currency: 'usd' });
		const getMany = (filters: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
			runStripe(sandbox(), [{}], { resource: 'customerBalanceTransaction', operation: 'getAll', customer: byId(customer), filters, ...extra }, V2);
		const pairs = (...entries: Array<[string, string]>) => ({ metadata: { metadataValues: entries.map(([key, value]) => ({ key, value })) } });

		const all = await getMany(pairs(['batch', 'b1'], ['source', 'crm']), { returnAll: true });
		expect(all.output('Stripe').map((item) => item.json.id)).toEqual(ours.map((transaction) => transaction.id).reverse());
		const limited = await getMany(pairs(['batch', 'b1']), { limit: 2 });
		expect(limited.output('Stripe').map((item) => item.json.id)).toEqual([ours[2].id, ours[1].id]);
		const unset = await getMany(pairs(['batch', '']), { returnAll: true });
		expect(unset.output('Stripe').map((item) => item.json.amount)).toEqual([-500]);
	});
});

/**
 * The trigger's memory of delivered events (trigger/deliveredEvents.ts): one execution per event and endpoint, in
 * this process (claims) and across processes and restarts (the node's static data, as n8n's ObservableObject wraps
 * and saves it). The whole trigger runs in the real n8n in test/e2e/trigger.e2e.test.ts.
 */
import { ObservableObject, type IDataObject } from 'n8n-workflow';

type Module = typeof import('../../nodes/StripeCustomerBalance/trigger/deliveredEvents');

/** A fresh copy of the module: the state of a process that has claimed nothing yet. */
function freshProcess(): Module {
	let loaded: Module | undefined;
	jest.isolateModules(() => {
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		loaded = require('../../nodes/StripeCustomerBalance/trigger/deliveredEvents') as Module;
	});
	return loaded!;
}

const now = 1_800_000_000;
const production = { workflowId: 'wf1', nodeId: 'node1', endpointId: 'we_production' };
const testListener = { ...production, endpointId: 'we_test' };

/** The node's static data as n8n hands it to one webhook request: the saved JSON, parsed, wrapped by ObservableObject. */
function loaded(saved: IDataObject = {}): IDataObject {
	const workflowStaticData = ObservableObject.create({ 'node:Trigger': JSON.parse(JSON.stringify(saved)) as IDataObject }, undefined, { ignoreEmptyOnFirstChild: true });
	return workflowStaticData['node:Trigger'] as IDataObject;
}
const saved = (data: IDataObject) => JSON.parse(JSON.stringify(data)) as IDataObject;
const ids = (data: IDataObject) => Object.keys(data.deliveredEvents as object);

describe('each event starts one execution per endpoint', () => {
	it('a second copy is already delivered, in this process and, from the saved static data, in another', () => {
		const first = freshProcess();
		const staticData = loaded();
		expect(first.acceptEvent(production, 'evt_a', now, staticData, now)).toBe('new');
		expect(first.acceptEvent(production, 'evt_a', now, loaded(), now + 60)).toBe('alreadyDelivered');

		const second = freshProcess();
		expect(second.acceptEvent(production, 'evt_a', now, loaded(saved(staticData)), now + 3600)).toBe('alreadyDelivered');
		expect(second.acceptEvent(production, 'evt_b', now, loaded(saved(staticData)), now + 3600)).toBe('new');
	});

	it('two copies at the same moment, each request with its own copy of the static data: the process claim decides', () => {
		const process = freshProcess();
		expect(process.acceptEvent(production, 'evt_c', now, loaded(), now)).toBe('new');
		expect(process.acceptEvent(production, 'evt_c', now, loaded(), now)).toBe('alreadyDelivered');
	});

	it.each([
		['the test endpoint first', [testListener, production]],
		['the production endpoint first', [production, testListener]],
	])('the editor\'s test endpoint and the production endpoint each start one execution (%s)', (_order, endpoints) => {
		const process = freshProcess();
		const productionData = loaded();
		const dataFor = (key: typeof production) => (key === production ? productionData : undefined);
		expect(endpoints.map((key) => process.acceptEvent(key, 'evt_both', now, dataFor(key), now))).toEqual(['new', 'new']);
		expect(endpoints.map((key) => process.acceptEvent(key, 'evt_both', now, dataFor(key), now + 1))).toEqual(['alreadyDelivered', 'alreadyDelivered']);
		// The test copy leaves no trace in the static data; the production copy does.
		expect(ids(saved(productionData))).toEqual(['evt_both']);
	});

	it('another trigger (workflow or node) gets the same event too', () => {
		const process = freshProcess();
		expect(process.acceptEvent(production, 'evt_a', now, loaded(), now)).toBe('new');
		expect(process.acceptEvent({ ...production, workflowId: 'wf2' }, 'evt_a', now, loaded(), now)).toBe('new');
		expect(process.acceptEvent({ ...production, nodeId: 'node2' }, 'evt_a', now, loaded(), now)).toBe('new');
	});
});

describe('the static data: bounded, written in place, no lost update', () => {
	it('an event older than the trigger remembers starts nothing; expired ids leave the static data', () => {
		const process = freshProcess();
		const staticData = loaded();
		expect(process.acceptEvent(production, 'evt_old', now - process.REMEMBER_EVENTS_SECONDS - 1, staticData, now)).toBe('tooOld');
		process.acceptEvent(production, 'evt_d', now, staticData, now);
		const later = now + process.REMEMBER_EVENTS_SECONDS + 10;
		process.acceptEvent(production, 'evt_e', later - 5, staticData, later);
		expect(ids(staticData)).toEqual(['evt_e']);
	});

	it('a delivery adds its id to the map it loaded, in place (no new map of up to 20,000 ids)', () => {
		const process = freshProcess();
		const previous = loaded({ deliveredEvents: { evt_1: now - 10, evt_2: now - 5 } });
		const map = previous.deliveredEvents;

		expect(process.acceptEvent(production, 'evt_3', now, previous, now)).toBe('new');
		expect(previous.deliveredEvents).toBe(map);
		expect(ids(previous)).toEqual(['evt_1', 'evt_2', 'evt_3']);
	});

	it('n8n marks the workflow\'s static data changed, so it saves it', () => {
		const process = freshProcess();
		const workflowStaticData = ObservableObject.create({ 'node:Trigger': { deliveredEvents: { evt_1: now } } } as IDataObject, undefined, {
			ignoreEmptyOnFirstChild: true,
		}) as IDataObject & { __dataChanged: boolean };
		expect(workflowStaticData.__dataChanged).toBe(false);
		process.acceptEvent(production, 'evt_2', now, workflowStaticData['node:Trigger'] as IDataObject, now);
		expect(workflowStaticData.__dataChanged).toBe(true);
	});

	it('listing the up to 20,000 ids (slow behind n8n\'s proxy) happens at an endpoint\'s first delivery in a process, then at most hourly', () => {
		const process = freshProcess();
		let listings = 0;
		/** What n8n loads for one request, with a map that counts how often its ids are listed. */
		const counted = (saved: Record<string, number>) => {
			const map = new Proxy(saved, {
				ownKeys(target) {
					listings += 1;
					return Reflect.ownKeys(target);
				},
			});
			return (ObservableObject.create({ 'node:Trigger': { deliveredEvents: map } } as IDataObject, undefined, { ignoreEmptyOnFirstChild: true }) as IDataObject)[
				'node:Trigger'
			] as IDataObject;
		};
		const delivered = (ids: number) => Object.fromEntries(Array.from({ length: ids }, (_, index) => [`evt_${index}`, now]));

		/** How often one delivery lists the ids (n8n's wrapping lists them once when it loads the data: not counted). */
		const listingsOf = (eventId: string, at: number) => {
			const staticData = counted(delivered(100));
			const before = listings;
			expect(process.acceptEvent(production, eventId, now, staticData, at)).toBe('new');
			return listings - before;
		};

		expect(listingsOf('evt_first', now)).toBe(1);
		expect(Array.from({ length: 50 }, (_, index) => listingsOf(`evt_more_${index}`, now + 60 + index))).toEqual(Array(50).fill(0));
		expect(listingsOf('evt_an_hour_later', now + 3600)).toBe(1);
	});

	it('this process adding ids up to the bound prunes at once, without waiting for the hour', () => {
		const process = freshProcess();
		const staticData = loaded({ deliveredEvents: Object.fromEntries(Array.from({ length: process.MAX_REMEMBERED_EVENTS - 2 }, (_, index) => [`evt_${index}`, now])) });
		for (const eventId of ['evt_a', 'evt_b', 'evt_c', 'evt_d']) process.acceptEvent(production, eventId, now, staticData, now + 1);
		// The third went over the bound: down to the bound less a headroom, so that the next add without listing again.
		expect(ids(staticData)).toHaveLength(process.MAX_REMEMBERED_EVENTS - process.PRUNE_HEADROOM + 1);
		expect(ids(staticData).slice(-4)).toEqual(['evt_a', 'evt_b', 'evt_c', 'evt_d']);
	});

	it(`at most ${20_000} ids: the oldest go first`, () => {
		const process = freshProcess();
		const full: Record<string, number> = {};
		for (let index = 0; index < process.MAX_REMEMBERED_EVENTS; index++) full[`evt_${index}`] = now;
		const staticData = loaded({ deliveredEvents: full });
		process.acceptEvent(production, 'evt_newest', now, staticData, now);
		const kept = ids(staticData);
		expect(kept).toHaveLength(process.MAX_REMEMBERED_EVENTS - process.PRUNE_HEADROOM);
		expect(kept[0]).toBe(`evt_${process.PRUNE_HEADROOM + 1}`);
		expect(kept.at(-1)).toBe('evt_newest');
	});

	it('two deliveries in flight load the same saved copy; whichever n8n saves last carries both ids', () => {
		const process = freshProcess();
		const before = saved({ deliveredEvents: { evt_0: now - 100 } });
		const first = loaded(before);
		const second = loaded(before);
		expect(process.acceptEvent(production, 'evt_x', now, first, now)).toBe('new');
		expect(process.acceptEvent(production, 'evt_y', now, second, now)).toBe('new');
		// Each request writes the process's recent claims again right before it returns (delivery.ts).
		process.rememberInStaticData(production, first, now + 2);
		process.rememberInStaticData(production, second, now + 1);
		for (const copy of [first, second]) expect(ids(copy).sort()).toEqual(['evt_0', 'evt_x', 'evt_y']);
	});
});

describe('the process\'s memory: bounded in time and count, forgotten at unpublish', () => {
	it(`holds at most ${50_000} claims, all triggers together: the oldest go first`, () => {
		const process = freshProcess();
		for (let index = 0; index < process.MAX_IN_PROCESS + 10; index++) {
			process.acceptEvent({ ...production, nodeId: `node${index % 7}` }, `evt_${index}`, now, undefined, now);
		}
		expect(process.claimsInProcess()).toBe(process.MAX_IN_PROCESS);
		expect(process.acceptEvent({ ...production, nodeId: 'node0' }, 'evt_0', now, undefined, now)).toBe('new');
		expect(process.acceptEvent({ ...production, nodeId: `node${(process.MAX_IN_PROCESS + 9) % 7}` }, `evt_${process.MAX_IN_PROCESS + 9}`, now, undefined, now)).toBe(
			'alreadyDelivered',
		);
	});

	it('claims expire after the window', () => {
		const process = freshProcess();
		process.acceptEvent(production, 'evt_a', now, undefined, now);
		process.acceptEvent(production, 'evt_b', now, undefined, now + 10);
		const later = now + process.REMEMBER_EVENTS_SECONDS + 5;
		process.acceptEvent(production, 'evt_c', later, undefined, later);
		expect(process.claimsInProcess()).toBe(2);
	});

	it('unpublishing forgets the trigger\'s endpoint, and nothing of the others', () => {
		const process = freshProcess();
		const other = { ...production, workflowId: 'wf2' };
		process.acceptEvent(production, 'evt_a', now, undefined, now);
		process.acceptEvent(testListener, 'evt_a', now, undefined, now);
		process.acceptEvent(other, 'evt_a', now, undefined, now);

		process.forgetDeliveredEvents(production);
		expect(process.claimsInProcess()).toBe(2);
		process.forgetDeliveredEvents({ workflowId: 'wf1', nodeId: 'node1' });
		expect(process.claimsInProcess()).toBe(1);
		expect(process.acceptEvent(production, 'evt_a', now, undefined, now)).toBe('new');
		expect(process.acceptEvent(other, 'evt_a', now, undefined, now)).toBe('alreadyDelivered');
	});
});

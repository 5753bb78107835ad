import type { IDataObject } from 'n8n-workflow';

/**
 * Stripe retries a delivery for up to three days (live mode) and may deliver an event more than once. Event ids are
 * remembered for a little longer than that; an event older than this window starts nothing, since whether it was
 * delivered can no longer be told.
 */
export const REMEMBER_EVENTS_SECONDS = 4 * 24 * 3600;
/** Bounds what the workflow's static data carries (about 40 bytes an id). */
const MAX_REMEMBERED_EVENTS = 20_000;

/**
 * State shared by the executions of one process: the events this process has accepted, per trigger. It is what makes
 * two copies of an event that arrive at the same moment start one execution: n8n loads the workflow's static data
 * anew for every webhook request, so two requests in flight do not see each other's writes there.
 */
const acceptedInProcess = new Map<string, number>();

function forgetExpired(nowSeconds: number): void {
	for (const [key, expires] of acceptedInProcess) {
		if (expires > nowSeconds) break;
		acceptedInProcess.delete(key);
	}
}

export type Acceptance = 'new' | 'alreadyDelivered' | 'tooOld';

/**
 * Claims an event for one trigger (workflow + node), synchronously, so no other request of this process can claim it
 * in between. `remembered` is the node's static data (`deliveredEvents`: event id -> event time), which n8n saves after
 * the webhook answers: it carries the claim across restarts and, once saved, to other processes.
 */
export function acceptEvent(
	trigger: string,
	eventId: string,
	eventCreated: number,
	remembered: IDataObject,
	nowSeconds: number,
): Acceptance {
	if (eventCreated < nowSeconds - REMEMBER_EVENTS_SECONDS) return 'tooOld';
	forgetExpired(nowSeconds);
	const key = `${trigger}\u0000${eventId}`;
	const delivered = (remembered.deliveredEvents ?? {}) as Record<string, number>;
	if (acceptedInProcess.has(key) || delivered[eventId] !== undefined) return 'alreadyDelivered';
	acceptedInProcess.set(key, nowSeconds + REMEMBER_EVENTS_SECONDS);
	remembered.deliveredEvents = rememberedAfter(delivered, eventId, eventCreated, nowSeconds);
	return 'new';
}

function rememberedAfter(delivered: Record<string, number>, eventId: string, eventCreated: number, nowSeconds: number): Record<string, number> {
	const kept = Object.entries(delivered).filter(([, created]) => created >= nowSeconds - REMEMBER_EVENTS_SECONDS);
	kept.push([eventId, eventCreated]);
	return Object.fromEntries(kept.slice(-MAX_REMEMBERED_EVENTS));
}

import type { IDataObject, IHookFunctions, IWebhookFunctions } from 'n8n-workflow';

/**
 * Stripe retries a delivery for up to three days (live mode) and may deliver an event more than once. Event ids are
 * remembered for a little longer than that; an event older than this window starts nothing, since whether it was
 * delivered can no longer be told.
 */
export const REMEMBER_EVENTS_SECONDS = 4 * 24 * 3600;
/** Bounds what the workflow's static data carries (about 40 bytes an id). */
export const MAX_REMEMBERED_EVENTS = 20_000;
/** Bounds what this process holds, all triggers together. */
export const MAX_IN_PROCESS = 50_000;
/**
 * A claim of this process is copied again into the static data by every delivery of the same endpoint for this long:
 * two deliveries in flight each save the static data they loaded, and the later save may lack the other's id. The next
 * delivery puts it back.
 */
const RECOPY_SECONDS = 600;
/**
 * Listing the ids of the static data (to drop expired and surplus ones) costs about 14 ms for 20,000 ids behind n8n's
 * ObservableObject proxy, against microseconds for adding one; so a process does it for an endpoint at its first
 * delivery, then at most once this often, or sooner when what it added could reach MAX_REMEMBERED_EVENTS.
 */
const PRUNE_EVERY_SECONDS = 3600;
/** A prune at the bound keeps this many fewer, so that the next deliveries add without listing again. */
export const PRUNE_HEADROOM = 1000;

/**
 * One endpoint of one trigger: the workflow, the node and the Stripe endpoint the delivery was signed for. Stripe
 * sends every event to each endpoint that listens to it, so the editor's test endpoint and the production endpoint
 * each get their own copy, and each copy starts its own execution.
 */
export interface EndpointKey {
	workflowId: string;
	nodeId: string;
	endpointId: string;
}

/** The trigger a delivery or an unpublish belongs to: its workflow and node. */
export function triggerOf(context: IHookFunctions | IWebhookFunctions): Omit<EndpointKey, 'endpointId'> {
	return { workflowId: context.getWorkflow().id ?? '', nodeId: context.getNode().id };
}

const triggerPart = (key: Omit<EndpointKey, 'endpointId'>) => `${key.workflowId}\u0000${key.nodeId}\u0000`;
const endpointPart = (key: EndpointKey) => `${triggerPart(key)}${key.endpointId}`;

interface Claim {
	endpoint: string;
	eventId: string;
	eventCreated: number;
	claimedAt: number;
}

/**
 * State shared by the executions of one process: the events this process has accepted, per endpoint, bounded in time
 * (REMEMBER_EVENTS_SECONDS) and in count (MAX_IN_PROCESS, the oldest claims go first). It is what makes two copies of
 * an event that arrive at the same moment start one execution: n8n loads the workflow's static data anew for every
 * webhook request, so two requests in flight do not see each other's writes there.
 */
class ProcessClaims {
	/** endpoint + event id -> claim, in the order claimed (a Map keeps insertion order): the oldest come first. */
	private readonly claims = new Map<string, Claim>();

	/** Per endpoint, the claims of the last RECOPY_SECONDS, oldest first. */
	private readonly recent = new Map<string, Claim[]>();

	get size(): number {
		return this.claims.size;
	}

	has(endpoint: string, eventId: string): boolean {
		return this.claims.has(`${endpoint}\u0000${eventId}`);
	}

	add(claim: Claim): void {
		this.forgetExpired(claim.claimedAt);
		while (this.claims.size >= MAX_IN_PROCESS) this.claims.delete(this.claims.keys().next().value as string);
		this.claims.set(`${claim.endpoint}\u0000${claim.eventId}`, claim);
		const recent = this.recent.get(claim.endpoint) ?? [];
		recent.push(claim);
		this.recent.set(claim.endpoint, recent);
	}

	/** The claims of this endpoint made in the last RECOPY_SECONDS. */
	recentOf(endpoint: string, nowSeconds: number): Claim[] {
		const recent = this.recent.get(endpoint);
		if (!recent) return [];
		const firstKept = recent.findIndex((claim) => claim.claimedAt > nowSeconds - RECOPY_SECONDS);
		if (firstKept === -1) {
			this.recent.delete(endpoint);
			return [];
		}
		if (firstKept > 0) recent.splice(0, firstKept);
		return recent;
	}

	/** Everything held for keys starting with this prefix (a trigger, or one endpoint of it). */
	forget(prefix: string): void {
		for (const [key, claim] of this.claims) if (claim.endpoint.startsWith(prefix)) this.claims.delete(key);
		for (const endpoint of this.recent.keys()) if (endpoint.startsWith(prefix)) this.recent.delete(endpoint);
		for (const endpoint of this.upkeep.keys()) if (endpoint.startsWith(prefix)) this.upkeep.delete(endpoint);
	}

	/** Per endpoint: when this process last pruned its static data, and how many ids it may hold since. */
	readonly upkeep = new Map<string, { prunedAt: number; count: number }>();

	private forgetExpired(nowSeconds: number): void {
		for (const [key, claim] of this.claims) {
			if (claim.claimedAt + REMEMBER_EVENTS_SECONDS > nowSeconds) break;
			this.claims.delete(key);
		}
	}
}

const processClaims = new ProcessClaims();

/** How many claims this process holds (for tests: bounded). */
export function claimsInProcess(): number {
	return processClaims.size;
}

/** A trigger was unpublished (or its test listener stopped): what this process remembers of its endpoint(s) goes. */
export function forgetDeliveredEvents(trigger: Omit<EndpointKey, 'endpointId'> & { endpointId?: string }): void {
	processClaims.forget(trigger.endpointId === undefined ? triggerPart(trigger) : endpointPart(trigger as EndpointKey));
}

export type Acceptance = 'new' | 'alreadyDelivered' | 'tooOld';

/**
 * Claims an event for one endpoint of a trigger, synchronously, so no other request of this process can claim it in
 * between. `remembered` is the node's static data, whose `deliveredEvents` (event id -> event time) n8n saves after
 * the webhook answers: it carries the claim across restarts and, once saved, to other processes. The editor's test
 * endpoint passes none: n8n stops listening after its first event, and its endpoint is deleted.
 */
export function acceptEvent(
	key: EndpointKey,
	eventId: string,
	eventCreated: number,
	remembered: IDataObject | undefined,
	nowSeconds: number,
): Acceptance {
	if (eventCreated < nowSeconds - REMEMBER_EVENTS_SECONDS) return 'tooOld';
	const endpoint = endpointPart(key);
	const delivered = remembered?.deliveredEvents as Record<string, number> | undefined;
	if (processClaims.has(endpoint, eventId) || delivered?.[eventId] !== undefined) return 'alreadyDelivered';
	processClaims.add({ endpoint, eventId, eventCreated, claimedAt: nowSeconds });
	if (remembered) rememberInStaticData(key, remembered, nowSeconds);
	return 'new';
}

/**
 * Writes what changed into the static data, in place (n8n marks the static data changed and saves it after the webhook
 * answers): this process's recent claims of the endpoint that the loaded copy lacks. Now and then (PRUNE_EVERY_SECONDS)
 * also drops the ids that expired (the oldest come first: ids are added in the order delivered) and the oldest over
 * MAX_REMEMBERED_EVENTS. Call it again right before the webhook returns, so the copy n8n saves carries the claims made
 * while it waited.
 */
export function rememberInStaticData(key: EndpointKey, remembered: IDataObject, nowSeconds: number): void {
	if (!isRecord(remembered.deliveredEvents)) remembered.deliveredEvents = {};
	const delivered = remembered.deliveredEvents as Record<string, number>;
	const endpoint = endpointPart(key);
	let added = 0;
	for (const claim of processClaims.recentOf(endpoint, nowSeconds)) {
		if (delivered[claim.eventId] !== undefined) continue;
		delivered[claim.eventId] = claim.eventCreated;
		added += 1;
	}
	const upkeep = processClaims.upkeep.get(endpoint);
	if (upkeep && nowSeconds - upkeep.prunedAt < PRUNE_EVERY_SECONDS && upkeep.count + added <= MAX_REMEMBERED_EVENTS) {
		upkeep.count += added;
		return;
	}
	if (processClaims.upkeep.size >= MAX_IN_PROCESS) processClaims.upkeep.clear();
	processClaims.upkeep.set(endpoint, { prunedAt: nowSeconds, count: prune(delivered, nowSeconds) });
}

/**
 * Drops expired ids (from the oldest until the first that is not) and, over the bound, the oldest down to the bound less
 * PRUNE_HEADROOM; returns how many stay.
 */
function prune(delivered: Record<string, number>, nowSeconds: number): number {
	const ids = Object.keys(delivered);
	let first = 0;
	while (first < ids.length && delivered[ids[first]] < nowSeconds - REMEMBER_EVENTS_SECONDS) first += 1;
	if (ids.length - first > MAX_REMEMBERED_EVENTS) first = ids.length - (MAX_REMEMBERED_EVENTS - PRUNE_HEADROOM);
	for (const eventId of ids.slice(0, first)) delete delivered[eventId];
	return ids.length - first;
}

function isRecord(value: unknown): value is IDataObject {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Deliveries refused because the trigger's secret does not fit, told where a user looks, with the remedy: in the 401
 * Stripe shows under the endpoint's failed deliveries in its Dashboard (every refusal), and in n8n's log (bounded).
 */

export const REMEDY = 'Unpublish and publish the workflow in n8n: the trigger then creates a new endpoint with a new signing secret.';

/** Why a delivery with a present, well-formed and recent Stripe-Signature header was refused. */
export type SecretRefusal =
	/** No v1 matches the secret n8n keeps: the secret was rolled in Stripe's Dashboard, or the request is forged. */
	| 'mismatch'
	/** The kept secret cannot be opened with the credential's key, or what is kept is unusable: every delivery fails. */
	| 'unusable';

/** One signature mismatch could be anyone's forged request; this many in a row, with no valid delivery between, is the rolled-secret outage. */
export const MISMATCHES_BEFORE_NOTICE = 3;
/** At most one log line per endpoint of a trigger and process this often. */
export const NOTICE_EVERY_SECONDS = 3600;
/** Bounds what this process holds, all triggers together (the oldest go first). */
const MAX_TRACKED = 1000;

interface Track {
	refusedInARow: number;
	loggedAt?: number;
}

/**
 * Process-wide state (5): per trigger endpoint, the refusals since its last valid delivery and when it was last
 * logged. Nothing in it is needed for correctness: it only keeps the log to one line an hour per endpoint.
 */
const tracks = new Map<string, Track>();

/** A valid delivery: the endpoint's secret works again. */
export function noteVerified(endpoint: string): void {
	tracks.delete(endpoint);
}

/** Records a refusal; when it is to be logged now, the refusals in a row so far, else undefined. */
export function noteRefusal(endpoint: string, refusal: SecretRefusal, nowSeconds: number): number | undefined {
	let track = tracks.get(endpoint);
	if (!track) {
		while (tracks.size >= MAX_TRACKED) tracks.delete(tracks.keys().next().value as string);
		track = { refusedInARow: 0 };
		tracks.set(endpoint, track);
	}
	track.refusedInARow += 1;
	const enough = refusal === 'unusable' || track.refusedInARow >= MISMATCHES_BEFORE_NOTICE;
	const due = track.loggedAt === undefined || nowSeconds - track.loggedAt >= NOTICE_EVERY_SECONDS;
	if (!enough || !due) return undefined;
	track.loggedAt = nowSeconds;
	return track.refusedInARow;
}

/** What Stripe's Dashboard shows as the endpoint's reply: the reason and the remedy, nothing of the request. */
export function refusalAnswer(refusal: SecretRefusal, reason: string): string {
	const cause =
		refusal === 'mismatch'
			? `Signature refused: ${reason}. If this endpoint's signing secret was rolled in Stripe's Dashboard, n8n cannot learn the new one (Stripe shows it only to you).`
			: `Signature refused: ${reason}.`;
	return `${cause} ${REMEDY}`;
}

/** n8n's log line for refusals that keep coming. */
export function refusalLogLine(refusal: SecretRefusal, reason: string, refusedInARow: number): string {
	const what =
		refusal === 'mismatch'
			? `${refusedInARow} deliveries in a row had a recent, well-formed Stripe-Signature that does not match the endpoint's signing secret (rolled in Stripe's Dashboard?)`
			: `deliveries are refused: ${reason}`;
	return `Stripe Customer Balance Trigger: ${what}. ${REMEDY}`;
}

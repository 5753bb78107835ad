import { sleep } from 'n8n-workflow';

/**
 * Preparing items (n8n resolving each item's expressions, then the node's checks) is CPU work that never waits. When
 * several executions of a process prepare at once, each turn of the event loop runs a slice of every one of them, and
 * the executions already sending wait that long for their pacer turns and replies: their rate sags. So the executions
 * of a process prepare one at a time, in arrival order, and the one preparing lets the event loop turn between slices.
 * One that has prepared for TURN_MS while others wait goes to the back of the line: a large run cannot hold up small
 * ones for long.
 */
const ITEMS_PER_SLICE = 5;
const TURN_MS = 500;

export class PreparationTurns {
	private held = false;

	private readonly line: Array<() => void> = [];

	/** Executions waiting for their turn. */
	get waiting(): number {
		return this.line.length;
	}

	/** Calls `prepare` for items 0 to count - 1, in order, during this execution's turns. */
	async prepareAll(count: number, prepare: (itemIndex: number) => void): Promise<void> {
		await this.take();
		let turnStarted = Date.now();
		try {
			for (let itemIndex = 0; itemIndex < count; itemIndex++) {
				prepare(itemIndex);
				if (itemIndex % ITEMS_PER_SLICE !== ITEMS_PER_SLICE - 1 || itemIndex === count - 1) continue;
				await sleep(0);
				if (this.line.length > 0 && Date.now() - turnStarted >= TURN_MS) {
					this.give();
					await this.take();
					turnStarted = Date.now();
				}
			}
		} finally {
			this.give();
		}
	}

	private async take(): Promise<void> {
		if (!this.held) {
			this.held = true;
			return;
		}
		await new Promise<void>((resolve) => this.line.push(resolve));
	}

	private give(): void {
		const next = this.line.shift();
		if (next) next();
		else this.held = false;
	}
}

/** The turns of this process (n8n loads the node's module once per process). */
export const processPreparation = new PreparationTurns();

/**
 * Hands items on in input order, each once its value is ready (its customer found by email), so one customer's writes
 * reach the JobRunner's lane in input order whether the items name it by id, by URL or by email. A value ready at once
 * passes straight through when nothing waits ahead of it; later items wait only behind lookups still running.
 */
export class InOrder<T> {
	private waiting = 0;

	private tail: Promise<void> = Promise.resolve();

	constructor(
		private readonly deliver: (index: number, value: T) => void,
		private readonly reject: (index: number, error: unknown) => void,
	) {}

	add(index: number, value: T | Promise<T>): void {
		if (this.waiting === 0 && !(value instanceof Promise)) {
			this.deliver(index, value);
			return;
		}
		this.waiting += 1;
		const ready = Promise.resolve(value);
		// Handled in its turn below; until then it must not count as an unhandled rejection.
		ready.catch(() => undefined);
		this.tail = this.tail.then(async () => {
			try {
				this.deliver(index, await ready);
			} catch (error) {
				this.reject(index, error);
			} finally {
				this.waiting -= 1;
			}
		});
	}

	/** Resolves when every item added so far was delivered or rejected. */
	async drained(): Promise<void> {
		await this.tail;
	}
}

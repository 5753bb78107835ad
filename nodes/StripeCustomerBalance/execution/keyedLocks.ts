/**
 * One-at-a-time sections by key, granted in the order they were asked for. An entry lives only while its key is held
 * or awaited, so the map never outgrows the work in progress.
 */
export class KeyedLocks {
	/** Per held key: who waits for it next, in arrival order. */
	private readonly queues = new Map<string, Array<() => void>>();

	get size(): number {
		return this.queues.size;
	}

	/** How many wait for `key` now. */
	waiting(key: string): number {
		return this.queues.get(key)?.length ?? 0;
	}

	async run<T>(key: string, section: () => Promise<T>): Promise<T> {
		await this.acquire(key);
		try {
			return await section();
		} finally {
			this.release(key);
		}
	}

	private async acquire(key: string): Promise<void> {
		const queue = this.queues.get(key);
		if (!queue) {
			this.queues.set(key, []);
			return;
		}
		await new Promise<void>((resolve) => queue.push(resolve));
	}

	private release(key: string): void {
		const queue = this.queues.get(key);
		const next = queue?.shift();
		if (next) next();
		else this.queues.delete(key);
	}
}

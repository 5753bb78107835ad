/**
 * n8n in queue mode, as people scale it out: PostgreSQL (shared database), Redis (the Bull job queue), a main process
 * that takes webhooks and the editor's REST calls and queues the executions, and workers that run them. Everything is
 * started here and torn down by `stop()`, which is safe to call after a failed start.
 *
 *   const cluster = await QueueCluster.start({ runtime, workers: 2 });
 *   await cluster.instance.importWorkflows([...]);   // CLI commands reach the same PostgreSQL
 *   await cluster.startProcesses();                  // main + workers
 *   …  cluster.workerThatRan(executionId)  …  await cluster.stop();
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { N8nInstance } from './instance';
import type { N8nRuntime } from './runtime';
import type { N8nServer } from './server';
import { ensureQueueServicesInstalled, startPostgres, startRedis, type RunningService } from './services';
import { N8nWorker } from './worker';

export interface QueueClusterOptions {
	runtime: N8nRuntime;
	/** Default 2. */
	workers?: number;
	/** Executions each worker runs at once (n8n's default is 10). */
	concurrency?: number;
	/** Minutes between the main process's checks for executions whose worker died (n8n's default: 180). */
	recoveryIntervalMinutes?: number;
	/**
	 * How long a dead worker's job stays "active" in Bull before it counts as stalled and fails (n8n's default: 60 s
	 * lock + 30 s stall checks). Only then can the recovery check mark its execution crashed.
	 */
	jobLockSeconds?: number;
}

export class QueueCluster {
	main: N8nServer | undefined;

	readonly workers: N8nWorker[] = [];

	private constructor(
		readonly instance: N8nInstance,
		private readonly services: RunningService[],
		private readonly workDir: string,
		private readonly env: Record<string, string>,
		private readonly options: Required<Omit<QueueClusterOptions, 'runtime'>>,
	) {}

	/** Installs (when missing) and starts PostgreSQL and Redis, and prepares an n8n instance that uses them. */
	static async start(options: QueueClusterOptions): Promise<QueueCluster> {
		await ensureQueueServicesInstalled();
		const services: RunningService[] = [];
		const workDir = await mkdtemp(join(tmpdir(), 'n8n-queue-'));
		try {
			const postgres = await startPostgres();
			services.push(postgres);
			const redis = await startRedis();
			services.push(redis);
			const env = {
				EXECUTIONS_MODE: 'queue',
				QUEUE_BULL_REDIS_HOST: '127.0.0.1',
				QUEUE_BULL_REDIS_PORT: String(redis.port),
				DB_TYPE: 'postgresdb',
				DB_POSTGRESDB_HOST: '127.0.0.1',
				DB_POSTGRESDB_PORT: String(postgres.port),
				DB_POSTGRESDB_DATABASE: postgres.database,
				DB_POSTGRESDB_USER: postgres.user,
				DB_POSTGRESDB_PASSWORD: '',
				N8N_EXECUTIONS_QUEUE_RECOVERY_INTERVAL: String(options.recoveryIntervalMinutes ?? 180),
				...(options.jobLockSeconds === undefined
					? {}
					: {
							QUEUE_WORKER_LOCK_DURATION: String(options.jobLockSeconds * 1000),
							QUEUE_WORKER_LOCK_RENEW_TIME: String(Math.ceil((options.jobLockSeconds * 1000) / 4)),
							QUEUE_WORKER_STALLED_INTERVAL: String(Math.ceil((options.jobLockSeconds * 1000) / 4)),
						}),
			};
			const instance = await N8nInstance.create({ runtime: options.runtime, userFolder: join(workDir, 'n8n'), env });
			return new QueueCluster(instance, services, workDir, env, {
				workers: options.workers ?? 2,
				concurrency: options.concurrency ?? 10,
				recoveryIntervalMinutes: options.recoveryIntervalMinutes ?? 180,
				jobLockSeconds: options.jobLockSeconds ?? 60,
			});
		} catch (error) {
			for (const service of services.reverse()) await service.stop();
			await rm(workDir, { recursive: true, force: true });
			throw error;
		}
	}

	/** Starts the main process, then the workers (each with a task-runner broker port of its own). */
	async startProcesses(): Promise<void> {
		this.main = await this.instance.start();
		for (let index = 0; index < this.options.workers; index++) await this.addWorker();
	}

	async addWorker(): Promise<N8nWorker> {
		const worker = await N8nWorker.start(this.instance, `worker-${this.workers.length + 1}`, { concurrency: this.options.concurrency, env: this.env });
		this.workers.push(worker);
		return worker;
	}

	/** The worker whose log says it started this execution. */
	workerThatRan(executionId: string): N8nWorker | undefined {
		return this.workers.find((worker) => worker.startedExecutions.includes(executionId));
	}

	async stop(): Promise<void> {
		await Promise.all(this.workers.map(async (worker) => await worker.stop()));
		await this.main?.stop();
		await this.instance.dispose();
		for (const service of this.services.reverse()) await service.stop();
		await rm(this.workDir, { recursive: true, force: true });
	}
}

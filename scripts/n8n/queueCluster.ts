/**
 * n8n in queue mode, as people scale it out: PostgreSQL (shared database), Redis (the Bull job queue), a main process
 * that takes webhooks and the editor's REST calls and queues the executions, and workers that run them. Everything is
 * started here and torn down by `stop()`, which is safe to call after a failed start.
 *
 *   const cluster = await QueueCluster.start({ runtime, workers: 2 });
 *   await cluster.instance.importWorkflows([...]);   // CLI commands reach the same PostgreSQL
 *   await cluster.startProcesses();                  // main + workers
 *   …  cluster.workerThatRan(executionId)  …  await cluster.stop();
 *
 * With `webhookProcesses`, production webhooks are served by that many `n8n webhook` processes behind one URL (a
 * loopback round-robin proxy, `cluster.proxy`), which is n8n's WEBHOOK_URL: what a trigger gives Stripe.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { N8nInstance } from './instance';
import { freePort } from './ports';
import { RoundRobinProxy } from './roundRobinProxy';
import type { N8nRuntime } from './runtime';
import type { N8nServer } from './server';
import { ensureQueueServicesInstalled, startPostgres, startRedis, type RunningService } from './services';
import { N8nWebhookProcess } from './webhookProcess';
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
	/** `n8n webhook` processes behind one URL (default 0: the main process takes the webhooks). */
	webhookProcesses?: number;
}

export class QueueCluster {
	main: N8nServer | undefined;

	readonly workers: N8nWorker[] = [];

	readonly webhookProcesses: N8nWebhookProcess[] = [];

	private constructor(
		readonly instance: N8nInstance,
		private readonly services: RunningService[],
		private readonly workDir: string,
		private readonly env: Record<string, string>,
		private readonly options: Required<Omit<QueueClusterOptions, 'runtime'>>,
		/** In front of the webhook processes, when there are any. */
		readonly proxy: RoundRobinProxy | undefined,
	) {}

	/** Installs (when missing) and starts PostgreSQL and Redis, and prepares an n8n instance that uses them. */
	static async start(options: QueueClusterOptions): Promise<QueueCluster> {
		await ensureQueueServicesInstalled();
		const services: RunningService[] = [];
		const workDir = await mkdtemp(join(tmpdir(), 'n8n-queue-'));
		const proxy = (options.webhookProcesses ?? 0) > 0 ? await RoundRobinProxy.start() : undefined;
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
				...(proxy ? { WEBHOOK_URL: `${proxy.url}/` } : {}),
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
				webhookProcesses: options.webhookProcesses ?? 0,
			}, proxy);
		} catch (error) {
			await proxy?.close();
			for (const service of services.reverse()) await service.stop();
			await rm(workDir, { recursive: true, force: true });
			throw error;
		}
	}

	/** Starts the main process, then the workers (each with a task-runner broker port of its own), then the webhook processes. */
	async startProcesses(): Promise<void> {
		this.main = await this.instance.start();
		for (let index = 0; index < this.options.workers; index++) await this.addWorker();
		for (let index = 0; index < this.options.webhookProcesses; index++) {
			const env = { ...this.env, N8N_RUNNERS_BROKER_PORT: String(await freePort()) };
			this.webhookProcesses.push(await N8nWebhookProcess.start(this.instance, `webhook-${index + 1}`, { env }));
		}
		this.proxy?.setTargets(this.webhookProcesses.map((process) => process.url));
	}

	/** Stops every n8n process (the database, Redis and the proxy stay); `startProcesses()` starts them anew. */
	async stopProcesses(): Promise<void> {
		await Promise.all([...this.webhookProcesses, ...this.workers].map(async (process) => await process.stop()));
		this.webhookProcesses.length = 0;
		this.workers.length = 0;
		await this.main?.stop();
		this.main = undefined;
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
		await this.stopProcesses();
		await this.proxy?.close();
		await this.instance.dispose();
		for (const service of this.services.reverse()) await service.stop();
		await rm(this.workDir, { recursive: true, force: true });
	}
}

/**
 * A logger that records every message n8n (and the nodes it runs) logs, as text.
 *
 * It replaces n8n's own Logger in n8n-core's DI container and is installed into n8n-workflow's LoggerProxy,
 * so `LoggerProxy.debug(...)` from the engine, `this.logger.*` inside nodes and the ErrorReporter all land here.
 * Each entry is rendered the way n8n's JSON log format renders it: Error values at the top level of the
 * metadata are reduced to { name, message, stack, cause } (n8n's Logger.serializeError), everything else
 * goes through JSON.stringify (toJSON honoured, cycles replaced), so a secret that would reach n8n's log
 * output also reaches these strings.
 */
import type { Logger as N8nWorkflowLogger } from 'n8n-workflow';

type Level = 'error' | 'warn' | 'info' | 'debug';

export interface LogEntry {
	level: Level;
	message: string;
	scopes: string[];
	text: string;
}

const entries: LogEntry[] = [];

function serializeError(error: Error, seen = new Set<unknown>()): Record<string, unknown> {
	let cause: unknown;
	const rawCause = (error as { cause?: unknown }).cause;
	if (rawCause !== undefined && !seen.has(rawCause)) {
		seen.add(rawCause);
		cause = rawCause instanceof Error ? serializeError(rawCause, seen) : String(rawCause);
	}
	return { name: error.name, message: error.message, stack: error.stack, cause };
}

function safeStringify(value: unknown): string {
	const ancestors: unknown[] = [];
	try {
		return (
			JSON.stringify(value, function (this: unknown, _key: string, val: unknown) {
				if (typeof val === 'bigint') return `${val.toString()}n`;
				if (typeof val === 'function') return undefined;
				if (typeof val !== 'object' || val === null) return val;
				// `this` is the object holding `val`: drop finished branches from the ancestor stack.
				while (ancestors.length > 0 && ancestors[ancestors.length - 1] !== this) ancestors.pop();
				if (ancestors.includes(val)) return '[Circular]';
				ancestors.push(val);
				return val;
			}) ?? ''
		);
	} catch (error) {
		return `[unserializable metadata: ${(error as Error).message}]`;
	}
}

export function renderMetadata(metadata: unknown): string {
	if (metadata === undefined || metadata === null) return '';
	if (metadata instanceof Error) return safeStringify(serializeError(metadata));
	if (typeof metadata !== 'object') return String(metadata);
	const prepared: Record<string, unknown> = {};
	for (const [key, value] of Object.entries(metadata as Record<string, unknown>)) {
		prepared[key] = value instanceof Error ? serializeError(value) : value;
	}
	return Object.keys(prepared).length === 0 ? '' : safeStringify(prepared);
}

function record(level: Level, scopes: string[], message: unknown, metadata?: unknown) {
	const text = typeof message === 'string' ? message : message instanceof Error ? message.message : safeStringify(message);
	const meta = renderMetadata(metadata);
	const scopeText = scopes.length > 0 ? ` [${scopes.join(',')}]` : '';
	entries.push({
		level,
		message: text,
		scopes,
		text: `${level}${scopeText}: ${text}${meta ? ` ${meta}` : ''}`,
	});
}

export interface RecordingLogger extends N8nWorkflowLogger {
	scoped(scopes: string | string[]): RecordingLogger;
}

function createLogger(scopes: string[]): RecordingLogger {
	return {
		error: (message: string, metadata?: unknown) => record('error', scopes, message, metadata),
		warn: (message: string, metadata?: unknown) => record('warn', scopes, message, metadata),
		info: (message: string, metadata?: unknown) => record('info', scopes, message, metadata),
		debug: (message: string, metadata?: unknown) => record('debug', scopes, message, metadata),
		scoped: (more: string | string[]) => createLogger([...scopes, ...(Array.isArray(more) ? more : [more])]),
	} as RecordingLogger;
}

export const recordingLogger: RecordingLogger = createLogger([]);

/** Number of entries recorded so far (use as a bookmark for `logTextsSince`). */
export function logCount(): number {
	return entries.length;
}

export function logTextsSince(bookmark: number): string[] {
	return entries.slice(bookmark).map((entry) => entry.text);
}

export function logEntries(): readonly LogEntry[] {
	return entries;
}

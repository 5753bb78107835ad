import type { IExecuteFunctions, INodeParameters } from 'n8n-workflow';

function containsExpression(value: unknown): boolean {
	if (typeof value === 'string') return value.startsWith('=');
	if (Array.isArray(value)) return value.some(containsExpression);
	if (typeof value === 'object' && value !== null) return Object.values(value).some(containsExpression);
	return false;
}

/**
 * Reads the node's parameters for an item. A parameter without any expression is the same for every item, so it is
 * resolved once per execution: n8n's parameter resolution is the costliest part of handling an item in bulk runs.
 */
export class ParameterReader {
	private readonly constants = new Map<string, unknown>();
	/** The node's version (the one place it is read): what a saved workflow's parameters mean depends on it. */
	readonly nodeVersion: number;
	/** The parameters as saved (n8n's `getNode()` deep-copies the whole node on every call). */
	private readonly saved: INodeParameters;

	constructor(private readonly context: IExecuteFunctions) {
		const node = context.getNode();
		this.nodeVersion = node.typeVersion;
		this.saved = node.parameters;
	}

	get(name: string, itemIndex: number, fallback?: unknown): unknown {
		if (this.constants.has(name)) return this.constants.get(name);
		const value = this.context.getNodeParameter(name, itemIndex, fallback) as unknown;
		if (!containsExpression(this.saved[name])) this.constants.set(name, value);
		return value;
	}
}

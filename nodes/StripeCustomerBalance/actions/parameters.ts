import type { IExecuteFunctions, INodeParameters, INodeProperties } from 'n8n-workflow';

import { checkedChoices, fieldsWithChoices } from '../choices';
import { InvalidInput } from '../validation';

function containsExpression(value: unknown): boolean {
	if (typeof value === 'string') return value.startsWith('=');
	if (Array.isArray(value)) return value.some(containsExpression);
	if (typeof value === 'object' && value !== null) return Object.values(value).some(containsExpression);
	return false;
}

/**
 * Reads the node's parameters for an item, every choice in them checked against its dropdown (choices.ts). A
 * parameter without any expression is the same for every item, so it is resolved and checked once per execution:
 * n8n's parameter resolution is the costliest part of handling an item in bulk runs.
 */
export class ParameterReader {
	private readonly constants = new Map<string, unknown>();
	private readonly choiceFields = new Map<string, INodeProperties>();
	/** The node's version (the one place it is read): what a saved workflow's parameters mean depends on it. */
	readonly nodeVersion: number;
	/** The parameters as saved (n8n's `getNode()` deep-copies the whole node on every call). */
	private readonly saved: INodeParameters;
	/** Whether the node runs as an AI agent's tool: n8n's variant of the node type, named with `Tool` at the end. */
	readonly asTool: boolean;

	/** `properties`: the parameters of the operation being run, at this node version. */
	constructor(
		private readonly context: IExecuteFunctions,
		properties: INodeProperties[] = [],
	) {
		const node = context.getNode();
		this.nodeVersion = node.typeVersion;
		this.saved = node.parameters;
		this.asTool = node.type.endsWith('Tool');
		for (const field of fieldsWithChoices(properties)) if (!this.choiceFields.has(field.name)) this.choiceFields.set(field.name, field);
	}

	get(name: string, itemIndex: number, fallback?: unknown): unknown {
		if (this.constants.has(name)) return this.constants.get(name);
		const raw = this.context.getNodeParameter(name, itemIndex, fallback) as unknown;
		const field = this.choiceFields.get(name);
		const value = field && raw !== undefined ? checkedChoices(field, raw) : raw;
		if (!containsExpression(this.saved[name])) this.constants.set(name, value);
		return value;
	}

	/**
	 * An option as saved in the workflow, never resolved: for the options that take no expression, whose value is the
	 * workflow's choice, never the data's or an AI agent's. With `field` (its display name), an expression there (possible
	 * in a workflow's JSON) is refused naming it.
	 */
	savedOption(name: string, field?: string): unknown {
		const options = this.saved.options;
		const value = typeof options === 'object' && options !== null && !Array.isArray(options) ? (options as Record<string, unknown>)[name] : undefined;
		// n8n drops the leading = of an expression in a field that takes none; the braces stay.
		if (field !== undefined && typeof value === 'string' && (value.startsWith('=') || value.includes('{{'))) {
			throw new InvalidInput(
				field,
				`is an expression (${value.replace(/^=/, '').slice(0, 80)})`,
				"It takes no expression, so that neither the data nor an AI agent can set it: its value is the workflow's choice. Set it in the node's Options.",
			);
		}
		return value;
	}

	/** Checks every choice of the item, also those its operation will not read (a choice is never passed over). */
	checkChoices(itemIndex: number): void {
		for (const name of this.choiceFields.keys()) this.get(name, itemIndex);
	}
}

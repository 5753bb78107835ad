/**
 * Using the node as an AI Agent tool inside n8n-core. What is n8n's own: createNodeAsTool (the tool and its schema from
 * the `$fromAI()` placeholders), makeHandleToolInvocation (running the node with the agent's arguments) and `$fromAI`
 * resolution. What stands in: `asToolVariant` does what n8n's server does at start-up for `usableAsTool` nodes
 * (packages/cli tool-generation: name + 'Tool', no inputs, an ai_tool output, a tool description), and `ToolCallerNode`
 * plays the agent: it takes the tool from its ai_tool input and calls it with fixed arguments instead of asking an LLM.
 */
import { NodeConnectionTypes, deepCopy, type IDataObject, type IExecuteFunctions, type INodeExecutionData, type INodeType, type INodeTypeDescription } from 'n8n-workflow';

import { TEST_PACKAGE } from './test-nodes';

export const TOOL_CALLER_NODE_TYPE = `${TEST_PACKAGE}.toolCaller`;

export function asToolVariant(nodeType: INodeType): INodeType {
	const description = deepCopy(nodeType.description) as INodeTypeDescription;
	description.name += 'Tool';
	description.displayName += ' Tool';
	description.inputs = [];
	description.outputs = [NodeConnectionTypes.AiTool];
	delete description.usableAsTool;
	description.properties = [
		{
			displayName: 'Description',
			name: 'toolDescription',
			type: 'string',
			default: description.description,
			description: 'Explain to the LLM what this tool does',
		},
		...description.properties,
	];
	return { description, execute: nodeType.execute, methods: nodeType.methods };
}

interface CallableTool {
	name: string;
	description: string;
	schema: { shape: Record<string, { description?: string }> };
	invoke(args: IDataObject): Promise<string>;
}

export class ToolCallerNode implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Tool Caller',
		name: 'toolCaller',
		group: ['transform'],
		version: 1,
		description: 'Test-only stand-in for an AI Agent: calls its connected tool with the given arguments',
		defaults: { name: 'Agent' },
		inputs: [NodeConnectionTypes.Main, { type: NodeConnectionTypes.AiTool, displayName: 'Tool', maxConnections: 1, required: true }],
		outputs: [NodeConnectionTypes.Main],
		properties: [{ displayName: 'Arguments', name: 'toolArgs', type: 'json', default: '{}', description: 'What the LLM would pass' }],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const tool = (await this.getInputConnectionData(NodeConnectionTypes.AiTool, 0)) as CallableTool;
		const args = JSON.parse(this.getNodeParameter('toolArgs', 0) as string) as IDataObject;
		let response: unknown;
		try {
			response = JSON.parse(await tool.invoke(args));
		} catch (error) {
			response = { toolError: (error as Error).message };
		}
		const schema = Object.fromEntries(Object.entries(tool.schema.shape).map(([key, field]) => [key, field.description ?? '']));
		return [[{ json: { tool: tool.name, description: tool.description, schema, response } as IDataObject, pairedItem: { item: 0 } }]];
	}
}

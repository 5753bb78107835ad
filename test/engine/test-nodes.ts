/**
 * Test-only node types that the harness registers next to the package's own types.
 * They are not part of the package.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

/** Package prefix of the harness's own node types (never published). */
export const TEST_PACKAGE = 'n8n-nodes-engine-harness';

export const ITEMS_NODE_TYPE = `${TEST_PACKAGE}.items`;

/**
 * A start node standing in for a webhook / CRM trigger: no inputs, and its parameter `items`
 * (a JSON array of objects, as a string or an array) becomes its output items.
 *
 * It is shaped like n8n's own Execute Workflow Trigger: `inputs: []` plus `execute()`, so WorkflowExecute
 * runs it from the nodeExecutionStack (with the usual single empty start item) like any other node,
 * and every item it emits is paired with that start item.
 */
export class TestItemsNode implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Test Items',
		name: 'items',
		group: ['trigger'],
		version: 1,
		description: 'Test-only start node: emits the items given in its "items" parameter',
		eventTriggerDescription: '',
		defaults: { name: 'Items' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		properties: [
			{
				displayName: 'Items',
				name: 'items',
				type: 'json',
				default: '[]',
				description: 'JSON array of objects; each object becomes one output item',
			},
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const raw = this.getNodeParameter('items', 0, '[]') as unknown;
		let parsed: unknown = raw;
		if (typeof raw === 'string') {
			try {
				parsed = JSON.parse(raw === '' ? '[]' : raw);
			} catch (error) {
				throw new NodeOperationError(this.getNode(), `"items" is not valid JSON: ${(error as Error).message}`);
			}
		}
		if (!Array.isArray(parsed)) {
			throw new NodeOperationError(this.getNode(), '"items" must be a JSON array of objects');
		}
		return [
			parsed.map((value, index) => {
				if (typeof value !== 'object' || value === null || Array.isArray(value)) {
					throw new NodeOperationError(this.getNode(), `"items"[${index}] is not an object`);
				}
				return { json: value as IDataObject, pairedItem: { item: 0 } };
			}),
		];
	}
}

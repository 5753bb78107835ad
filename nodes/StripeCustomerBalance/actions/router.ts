import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { choice } from '../choices';
import { itemError } from '../execution/itemErrors';
import { runItems } from '../execution/runItems';
import { propertiesOf, resourceField } from './description';
import * as customer from './customer';
import * as customerBalanceTransaction from './customerBalanceTransaction';
import type { Operation } from './types';

const operationsByResource: Record<string, Record<string, Operation>> = {
	customerBalanceTransaction: customerBalanceTransaction.operations,
	customer: customer.operations,
};

/** Picks the operation the node is set to (checked against its own dropdowns), and runs the items through it. */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	if (items.length === 0) return [[]];
	const { typeVersion } = this.getNode();
	let resource: string;
	let operation: string;
	try {
		resource = choice(resourceField, this.getNodeParameter('resource', 0));
		const [operationField] = propertiesOf(resource, undefined, typeVersion).filter((field) => field.name === 'operation');
		operation = choice(operationField, this.getNodeParameter('operation', 0));
	} catch (error) {
		throw itemError(this, error, 0);
	}
	return await runItems.call(this, items, operationsByResource[resource][operation], propertiesOf(resource, operation, typeVersion));
}

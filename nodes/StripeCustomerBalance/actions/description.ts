import type { INodeProperties } from 'n8n-workflow';

import * as customer from './customer';
import * as customerBalanceTransaction from './customerBalanceTransaction';

export const resourceField: INodeProperties = {
	displayName: 'Resource',
	name: 'resource',
	type: 'options',
	noDataExpression: true,
	options: [
		{ name: 'Customer Balance Transaction', value: 'customerBalanceTransaction' },
		{ name: 'Customer', value: 'customer' },
	],
	default: 'customerBalanceTransaction',
};

/** Every parameter of the action node, of every version: what the panel shows and what `execute` reads against. */
export const properties: INodeProperties[] = [resourceField, ...customerBalanceTransaction.description, ...customer.description];

type VersionCondition = number | { _cnd: Record<string, number> };

function versionMatches(condition: VersionCondition, version: number): boolean {
	if (typeof condition === 'number') return condition === version;
	const [[operator, bound]] = Object.entries(condition._cnd);
	if (operator === 'gte') return version >= bound;
	if (operator === 'lte') return version <= bound;
	if (operator === 'gt') return version > bound;
	if (operator === 'lt') return version < bound;
	return version === bound;
}

/** Whether a parameter belongs to one operation (all operations of the resource: undefined) at one node version. */
export function belongsTo(property: INodeProperties, resource: string, operation: string | undefined, version: number): boolean {
	const show = property.displayOptions?.show ?? {};
	if (show.resource && !show.resource.includes(resource)) return false;
	if (operation !== undefined && show.operation && !show.operation.includes(operation)) return false;
	const versions = show['@version'] as VersionCondition[] | undefined;
	return !versions || versions.some((condition) => versionMatches(condition, version));
}

const propertiesByOperation = new Map<string, INodeProperties[]>();

/** The parameters that belong to one operation at one node version (their other display rules left aside). */
export function propertiesOf(resource: string, operation: string | undefined, version: number): INodeProperties[] {
	const key = `${resource}/${operation ?? ''}/${version}`;
	let found = propertiesByOperation.get(key);
	if (!found) {
		found = properties.filter((property) => belongsTo(property, resource, operation, version));
		propertiesByOperation.set(key, found);
	}
	return found;
}

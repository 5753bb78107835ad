/**
 * Values that choose a behaviour: every `options` parameter, wherever it sits (top level, in a collection, in a fixed
 * collection), read against the values its own description offers. An expression can put anything there, and a value
 * read loosely moves the wrong amount ("Credit" read as a debit, "SmallestUnit" read as As Written), so nothing here
 * falls back to a default.
 *
 * Accepted: a value the dropdown offers; that value or the option's name (what the dropdown shows) in another letter
 * case, when exactly one option answers to it. Anything else is refused, naming the field and the values it takes.
 */
import type { IDataObject, INodeProperties, INodePropertyCollection, INodePropertyOptions } from 'n8n-workflow';

import { InvalidInput, TEXT_BOUNDS, boundedText } from './validation';

function offered(field: INodeProperties): INodePropertyOptions[] {
	return (field.options ?? []) as INodePropertyOptions[];
}

function accepted(field: INodeProperties): string {
	return offered(field)
		.map((option) => `${JSON.stringify(option.value)} (${option.name})`)
		.join(', ');
}

function shown(value: unknown): string {
	if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
	if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
	return Array.isArray(value) ? 'a list' : 'an object';
}

/** The value of an `options` field, as the dropdown's own value, or an InvalidInput naming the field. */
export function choice(field: INodeProperties, value: unknown): string {
	const options = offered(field);
	boundedText(field.displayName, value, TEXT_BOUNDS.choice);
	if (typeof value === 'string') {
		const exact = options.find((option) => option.value === value);
		if (exact) return exact.value as string;
		const folded = value.toLowerCase();
		const matches = new Set(
			options
				.filter((option) => String(option.value).toLowerCase() === folded || option.name.toLowerCase() === folded)
				.map((option) => option.value as string),
		);
		if (matches.size === 1) return [...matches][0];
	}
	throw new InvalidInput(field.displayName, `${shown(value)} is not one of its values`, `Use one of: ${accepted(field)}.`);
}

const holdsChoices = (field: INodeProperties): boolean =>
	field.type === 'options' ||
	(field.type === 'collection' && (field.options as INodeProperties[]).some(holdsChoices)) ||
	(field.type === 'fixedCollection' &&
		(field.options as INodePropertyCollection[]).some((group) => group.values.some(holdsChoices)));

/** The fields of `properties` that hold a choice somewhere inside: the ones `checkedChoices` has work to do on. */
export function fieldsWithChoices(properties: INodeProperties[]): INodeProperties[] {
	return properties.filter(holdsChoices);
}

function checkedEntries(fields: INodeProperties[], values: IDataObject): IDataObject {
	const checked: IDataObject = { ...values };
	for (const field of fields) {
		if (checked[field.name] !== undefined) checked[field.name] = checkedChoices(field, checked[field.name]) as IDataObject[keyof IDataObject];
	}
	return checked;
}

/**
 * A parameter's value with every choice inside it checked and given as the dropdown's own value. Values of a
 * collection the user did not add stay absent (their default applies); a value that is there is never passed over.
 */
export function checkedChoices(field: INodeProperties, value: unknown): unknown {
	if (field.type === 'options') return choice(field, value);
	if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
	if (field.type === 'collection') return checkedEntries(field.options as INodeProperties[], value as IDataObject);
	if (field.type === 'fixedCollection') {
		const groups: IDataObject = { ...(value as IDataObject) };
		for (const group of field.options as INodePropertyCollection[]) {
			const entries = groups[group.name];
			if (Array.isArray(entries)) groups[group.name] = entries.map((entry) => checkedEntries(group.values, entry as IDataObject));
			else if (typeof entries === 'object' && entries !== null) groups[group.name] = checkedEntries(group.values, entries as IDataObject);
		}
		return groups;
	}
	return value;
}

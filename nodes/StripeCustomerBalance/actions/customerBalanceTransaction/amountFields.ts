/**
 * Create's amount, per node version. Version 1 takes Stripe's signed amount in the smallest unit (Options > Amount
 * Format and Direction can change that). Version 2 asks Credit / Debit / Signed Amount above Amount and takes the amount
 * as written in the currency (Options > Amount Format: Smallest Unit).
 *
 * Both versions' Direction and Amount Format live here with their reading.
 *
 * Why 16 Amount fields (2 versions x 2 units x 4 directions), all the same parameter `amount`: the editor shows a
 * field's `hint` as written (n8n's i18n `nodeText().hint()` returns a translation or `parameter.hint`, resolving no
 * expression), and `displayOptions` only show or hide a whole field. n8n's node-level `hints` take an expression
 * (`displayCondition`) but show in the node's panes, not under a field. So the hint that states the unit and direction
 * in force comes from one field per combination, each shown only for its own.
 */
import type { IDataObject, IDisplayOptions, INodeProperties } from 'n8n-workflow';

import { amountToSend, directedAmount, type AmountFormat, type Direction } from '../../amounts';
import { choice } from '../../choices';
import type { ParameterReader } from '../parameters';

type Shown = NonNullable<IDisplayOptions['show']>;

export const VERSION_1: Shown = { '@version': [1] };
export const FROM_VERSION_2: Shown = { '@version': [{ _cnd: { gte: 2 } }] };

/** Version 1's Options > Amount Format: Stripe's smallest unit unless the user picks decimal. */
export const version1AmountFormat: INodeProperties = {
	displayName: 'Amount Format',
	name: 'amountFormat',
	type: 'options',
	default: 'smallestUnit',
	description: 'How Amount is written',
	options: [
		{
			name: 'Smallest Unit (Cents)',
			value: 'smallestUnit',
			description: 'Whole number of the currency\'s smallest unit, as Stripe counts: 1250 means 12.50 EUR, 1250 JPY means ¥1250',
		},
		{
			name: 'Decimal',
			value: 'decimal',
			description: 'The amount as people write it, e.g. 12.50 (EUR), 1250 (JPY) or 1.250 (KWD); refused if the currency cannot hold it',
		},
	],
};

const DIRECTION_NAMES: Record<Direction, string> = {
	credit: 'Credit the Customer',
	debit: 'Debit the Customer',
	signed: 'Signed Amount',
};

/** Version 1's Options > Direction: Stripe's signed amount unless the user picks one. */
export const version1Direction: INodeProperties = {
	displayName: 'Direction',
	name: 'direction',
	type: 'options',
	default: 'signed',
	description: 'Whether Amount carries its own sign or is a positive size whose direction you choose here',
	options: [
		{ name: DIRECTION_NAMES.signed, value: 'signed', description: 'Negative credits the customer, positive debits them' },
		{ name: DIRECTION_NAMES.credit, value: 'credit', description: 'A positive Amount is credited (sent as negative)' },
		{ name: DIRECTION_NAMES.debit, value: 'debit', description: 'A positive Amount is debited (owed on the next invoice)' },
	],
};

export const directionField: INodeProperties = {
	displayName: 'Direction',
	name: 'direction',
	type: 'options',
	default: 'credit',
	description: 'Which way the money moves. Amount is then the size of the credit or debit.',
	options: [
		{
			name: DIRECTION_NAMES.credit,
			value: 'credit',
			description: 'Lowers what the customer owes (Stripe records a negative amount); used up by their next invoices',
		},
		{ name: DIRECTION_NAMES.debit, value: 'debit', description: 'Adds to what the customer owes, collected with their next invoice' },
		{
			name: DIRECTION_NAMES.signed,
			value: 'signed',
			description:
				'For data that already carries Stripe\'s sign: a negative Amount credits the customer, a positive one debits them. Amount is still as written unless Options > Amount Format is Smallest Unit (Stripe\'s own terms: -500 USD credits 5.00).',
		},
	],
	displayOptions: { show: FROM_VERSION_2 },
};

/** Version 2's Options > Amount Format: as written unless the user picks the smallest unit. */
export const amountFormatAsWritten: INodeProperties = {
	displayName: 'Amount Format',
	name: 'amountFormat',
	type: 'options',
	default: 'decimal',
	description: 'How Amount is written',
	options: [
		{
			name: 'As Written (Decimal)',
			value: 'decimal',
			description: 'The amount as people write it in the currency: 10 or 10.50 (EUR), 1200 (JPY), 1.230 (KWD)',
		},
		{
			name: 'Smallest Unit (Cents)',
			value: 'smallestUnit',
			description: 'Whole number of the currency\'s smallest unit, as Stripe counts: 1050 means 10.50 EUR',
		},
	],
};

const UNIT_HINTS: Record<AmountFormat, string> = {
	decimal: 'As written in the currency (10.50 EUR is 10.50)',
	smallestUnit: 'In the currency\'s smallest unit (1050 is 10.50 EUR)',
};

type DirectionShown = Direction | 'expression';

const DIRECTION_HINTS: Record<DirectionShown, string> = {
	credit: 'credited to the customer: it lowers what they owe (Stripe records it as negative).',
	debit: 'debited: it adds to what the customer owes.',
	signed: 'signed: negative credits the customer, positive debits them.',
	expression: 'credited or debited as the Direction expression says.',
};

const V1_DESCRIPTION =
	'Integer in the currency\'s smallest unit (cents): negative credits the customer (lowers what they owe), positive debits them (added to their next invoice). E.g. -1000 with EUR is a 10 EUR credit. Numeric text such as "1250" from an expression is accepted. See Options > Amount Format and Direction to enter 12.50 or a positive credit.';

const V2_DESCRIPTION =
	'How much, as written in the currency: 10 or 10.00 EUR is 10 euros, 1200 JPY is 1200 yen, 1.230 KWD. A currency\'s decimals are checked (12.5 JPY is refused). With Credit or Debit, a positive number: Direction gives the sign. Options > Amount Format switches to the smallest unit (cents).';

// A value that starts with '=' (an expression), told by comparison: n8n 1.x's `startsWith` throws on unset values,
// and `regex` runs in a sandbox with a 250 ms wall-clock limit that a busy host exceeds ("Regular expression execution
// timed out", seen under load), which would fail the node.
const isExpression = { _cnd: { between: { from: '=', to: '=\uffff' } } };

/**
 * The display rule of one combination. Only `hide` rules and one `show` rule that matches an expression are used:
 * n8n shows a field as soon as one of its `show` keys holds an expression, and at run time it sees no collection
 * values (Options), so the rules are written for exactly one variant to be shown for any values, unset included.
 * The keys are root paths (`/options.direction`): n8n 1.x resolves display dependencies only for those or siblings.
 */
function rule(
	version: Shown,
	unitKey: string,
	unit: AmountFormat,
	unitIfUnset: AmountFormat,
	directionKey: string,
	direction: DirectionShown,
): IDisplayOptions {
	const show: Shown = { resource: ['customerBalanceTransaction'], operation: ['create'], ...version };
	const otherUnit = unit === 'decimal' ? 'smallestUnit' : 'decimal';
	if (direction === 'expression') {
		// The expression ends n8n's checks of this field (shown), so the unit is checked before it, in `show` too.
		show[unitKey] = unit === unitIfUnset ? [{ _cnd: { not: otherUnit } }] : [unit];
		show[directionKey] = [isExpression];
		return { show };
	}
	const hide: NonNullable<IDisplayOptions['hide']> = { [unitKey]: unit === unitIfUnset ? [otherUnit] : [{ _cnd: { not: unit } }] };
	hide[directionKey] = direction === 'signed' ? ['credit', 'debit', isExpression] : [{ _cnd: { not: direction } }];
	return { show, hide };
}

function amountVariants(
	version: Shown,
	directionKey: string,
	unitIfUnset: AmountFormat,
	description: string,
): INodeProperties[] {
	const units: AmountFormat[] = ['decimal', 'smallestUnit'];
	const directions: DirectionShown[] = ['credit', 'debit', 'signed', 'expression'];
	return units.flatMap((unit) =>
		directions.map(
			(direction): INodeProperties => ({
				displayName: 'Amount',
				name: 'amount',
				type: 'number',
				default: 0,
				required: true,
				description,
				hint: `${UNIT_HINTS[unit]}, ${DIRECTION_HINTS[direction]}`,
				displayOptions: rule(version, '/options.amountFormat', unit, unitIfUnset, directionKey, direction),
			}),
		),
	);
}

export const amountFields: INodeProperties[] = [
	...amountVariants(VERSION_1, '/options.direction', 'smallestUnit', V1_DESCRIPTION),
	...amountVariants(FROM_VERSION_2, 'direction', 'decimal', V2_DESCRIPTION),
];

/** The amount to send, in the smallest unit and with Stripe's sign, as the node's version reads its parameters. */
export function readAmount(parameters: ParameterReader, itemIndex: number, currency: string, options: IDataObject): number {
	const value = parameters.get('amount', itemIndex);
	if (parameters.nodeVersion < 2) {
		const format = options.amountFormat === undefined ? 'smallestUnit' : choice(version1AmountFormat, options.amountFormat);
		const direction = options.direction === undefined ? 'signed' : choice(version1Direction, options.direction);
		return amountToSend('Amount', value, currency, format as AmountFormat, direction as Direction);
	}
	const direction = choice(directionField, parameters.get('direction', itemIndex)) as Direction;
	const format = options.amountFormat === undefined ? 'decimal' : (choice(amountFormatAsWritten, options.amountFormat) as AmountFormat);
	return directedAmount('Amount', value, currency, format, direction, DIRECTION_NAMES[direction]);
}

/**
 * Version 2's output: Stripe's transaction as it is, plus `direction` (credit or debit) next to `amount`, so that a
 * reader need not know that Stripe records a credit as a negative amount.
 */
export function withDirection(transaction: IDataObject): IDataObject {
	const direction = (transaction.amount as number) < 0 ? 'credit' : 'debit';
	return Object.fromEntries(
		Object.entries(transaction).flatMap(([key, value]) => (key === 'amount' ? [[key, value], ['direction', direction]] : [[key, value]])),
	);
}

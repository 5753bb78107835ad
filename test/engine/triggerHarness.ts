/**
 * The BUILT trigger in n8n-core's own contexts, as n8n's server calls it: `webhook()` in a WebhookContext (a delivery,
 * with the request and response objects n8n hands it) and the webhook methods in a HookContext (publishing). What
 * stands in for n8n's server: the credentials helper, additionalData (its webhook base URL is http://localhost:5678/)
 * and a response object that records what the trigger answered.
 */
import { HookContext, WebhookContext } from 'n8n-core';
import type { ICredentialDataDecryptedObject, IDataObject, INode, INodeType, IWebhookData, IWebhookResponseData } from 'n8n-workflow';
import { Workflow } from 'n8n-workflow';
import Stripe from 'stripe';

import { CREDENTIAL_TYPE, TEST_CREDENTIAL, TRIGGER_NODE_TYPE, TestCredentialsHelper, createAdditionalData, loadPackage, PACKAGE_ROOT } from '.';
import { nodeTypes } from './registry';

const WEBHOOK_ID = '5b0f3c1e-7a52-4c39-9d7e-00000000e001';

export interface TriggerSetup {
	typeVersion: number;
	parameters: IDataObject;
	credentials: ICredentialDataDecryptedObject;
	/** The node's static data, kept across deliveries of one test (the endpoint and the delivered events). */
	staticData?: IDataObject;
}

export interface Delivery {
	/** What webhook() returned: workflowData present means n8n starts an execution with it. */
	returned: IWebhookResponseData;
	answer: { status?: number; body?: unknown };
}

function workflowOf(setup: TriggerSetup): { workflow: Workflow; node: INode } {
	const node: INode = {
		id: 'trigger-node',
		name: 'Balance changed',
		type: TRIGGER_NODE_TYPE,
		typeVersion: setup.typeVersion,
		position: [0, 0],
		parameters: setup.parameters as INode['parameters'],
		credentials: { [CREDENTIAL_TYPE]: { ...TEST_CREDENTIAL } },
		webhookId: WEBHOOK_ID,
	};
	const staticData = { [`node:${node.name}`]: setup.staticData ?? {} };
	const workflow = new Workflow({ id: 'engineTrigger01', name: 'Trigger harness', nodes: [node], connections: {}, active: true, nodeTypes, staticData });
	return { workflow, node };
}

async function triggerType(version: number): Promise<INodeType> {
	await loadPackage(PACKAGE_ROOT);
	return nodeTypes.getByNameAndVersion(TRIGGER_NODE_TYPE, version);
}

function webhookDataOf(workflow: Workflow, node: INode, nodeType: INodeType, additionalData: IWebhookData['workflowExecuteAdditionalData']): IWebhookData {
	return {
		httpMethod: 'POST',
		node: node.name,
		path: `${WEBHOOK_ID}/webhook`,
		webhookDescription: nodeType.description.webhooks![0],
		workflowId: workflow.id,
		workflowExecuteAdditionalData: additionalData,
		webhookId: WEBHOOK_ID,
	};
}

/** A Stripe delivery of `event` (signed with `secret`, as Stripe signs) to the trigger, as n8n hands it over. */
export async function deliver(setup: TriggerSetup, event: object, secret: string): Promise<Delivery> {
	const nodeType = await triggerType(setup.typeVersion);
	const { workflow, node } = workflowOf(setup);
	const payload = JSON.stringify(event, null, 2);
	const header = Stripe.webhooks.generateTestHeaderString({ payload, secret });
	const answer: Delivery['answer'] = {};
	const response = {
		status(code: number) {
			answer.status = code;
			return response;
		},
		json(body: unknown) {
			answer.body = body;
			return response;
		},
	};
	const additionalData = createAdditionalData({ credentialsHelper: new TestCredentialsHelper({ [CREDENTIAL_TYPE]: setup.credentials }) });
	additionalData.httpRequest = { rawBody: Buffer.from(payload), headers: { 'stripe-signature': header }, body: JSON.parse(payload) } as never;
	additionalData.httpResponse = response as never;
	const context = new WebhookContext(workflow, node, additionalData, 'webhook', webhookDataOf(workflow, node, nodeType, additionalData), [], null);
	const returned = await nodeType.webhook!.call(context);
	return { returned, answer };
}

/** Publishing's first step, as n8n runs it: the webhook method `checkExists`, in a HookContext. */
export async function checkExistsOnPublish(setup: TriggerSetup): Promise<boolean> {
	const nodeType = await triggerType(setup.typeVersion);
	const { workflow, node } = workflowOf(setup);
	const additionalData = createAdditionalData({ credentialsHelper: new TestCredentialsHelper({ [CREDENTIAL_TYPE]: setup.credentials }) });
	const context = new HookContext(workflow, node, additionalData, 'webhook', 'activate', webhookDataOf(workflow, node, nodeType, additionalData));
	return await nodeType.webhookMethods!.default!.checkExists.call(context);
}

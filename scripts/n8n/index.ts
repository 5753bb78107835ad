/**
 * Helpers to run the real n8n (provisioned by scripts/provision-n8n.sh) from jest tests and tsx scripts.
 * System Node 20 runs this code; n8n itself runs on the provisioned Node 24, as child processes that are killed
 * (with their process group) when this process exits.
 *
 *   const runtime = await provision();                          // scripts/provision-n8n.sh; ms when cached
 *   const n8n = await N8nInstance.create({ runtime });          // fresh temp N8N_USER_FOLDER, sqlite, fixed key
 *   await n8n.installTarball((await packPackage(tmpDir)).tarball);   // `npm pack` + n8n's installer layout
 *   await n8n.importCredentials([stripeCredential({ secretKey, baseUrl })]);
 *   await n8n.importWorkflows([workflow]);                      // WorkflowBuilder + stripe.* builders
 *   const { run } = await n8n.executeOk(workflow.id);           // `n8n execute --id --rawOutput`, parsed
 *   nodeJson(run, 'Credit balances');                           // items of a node
 *   const server = await n8n.start();                           // `n8n start`, waits for readiness and the REST API
 *   const api = server.client(); await api.ensureOwner();       // REST session: types, icons, credential test
 *   await server.stop(); await n8n.dispose();
 *
 * Each n8n command boots n8n (5-10 s): batch imports, and never run two commands of one instance at once.
 */
export * from './example';
export * from './instance';
export * from './package';
export * from './ports';
export * from './proc';
export * from './run-output';
export * from './runtime';
export * from './server';
export * from './workflows';
export * from './webhooks';
export * from './burst';
export * from './queueCluster';
export * from './services';
export * from './worker';
export * from './batches';
export * from './editorStack';
export * from './webhookProcess';
export * from './roundRobinProxy';

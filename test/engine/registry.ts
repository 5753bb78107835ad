/**
 * Loads packages with n8n-core's PackageDirectoryLoader and serves their node and credential types the way
 * n8n's server does (INodeTypes / ICredentialTypes), next to the harness's test-only node types.
 */
import './env';

import { Logger } from '@n8n/backend-common';
import { Container } from '@n8n/di';
import { PackageDirectoryLoader } from 'n8n-core';
import type {
	ICredentialType,
	ICredentialTypes,
	IDataObject,
	INodeType,
	INodeTypeDescription,
	INodeTypes,
	IVersionedNodeType,
} from 'n8n-workflow';
import { LoggerProxy, NodeHelpers } from 'n8n-workflow';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

import { recordingLogger } from './recording-logger';
import { ITEMS_NODE_TYPE, TestItemsNode } from './test-nodes';

// n8n's Logger would print to the console and re-initialise LoggerProxy when first resolved: put the
// recording logger in its place before anything asks the container for it.
Container.set(Logger, recordingLogger as unknown as Logger);
LoggerProxy.init(recordingLogger);

/** Root of the package under test (holds package.json with the `n8n` section). */
export const PACKAGE_ROOT = path.resolve(__dirname, '..', '..');

export interface IconPath {
	/** Full node type (`package.name`) or credential type name the icon belongs to. */
	owner: string;
	kind: 'node' | 'credential';
	theme: 'light' | 'dark' | 'single';
	/** What n8n serves the icon as (`icons/<package>/<path>`), from the loader's iconUrl. */
	url: string;
	/** The file n8n's server resolves that URL to (package directory + path). */
	file: string;
	exists: boolean;
}

export interface LoadedPackage {
	packageName: string;
	directory: string;
	loader: PackageDirectoryLoader;
	/** Full node types, e.g. `n8n-nodes-stripe-customer-balance.stripeCustomerBalance`. */
	nodeTypes: string[];
	/** Credential type names, e.g. `stripeCustomerBalanceApi`. */
	credentialTypes: string[];
	/** Description of the node type's newest version; takes a full type or the bare node name. */
	nodeDescription(type: string): INodeTypeDescription;
	credential(type: string): ICredentialType;
	iconPaths: IconPath[];
}

const packages = new Map<string, LoadedPackage>();
const extraNodeTypes = new Map<string, INodeType | IVersionedNodeType>();

function splitType(fullType: string): [string, string] {
	const dot = fullType.lastIndexOf('.');
	return dot === -1 ? ['', fullType] : [fullType.slice(0, dot), fullType.slice(dot + 1)];
}

function iconUrls(iconUrl: unknown): Array<{ theme: IconPath['theme']; url: string }> {
	if (typeof iconUrl === 'string') return [{ theme: 'single', url: iconUrl }];
	if (iconUrl && typeof iconUrl === 'object') {
		const { light, dark } = iconUrl as { light?: string; dark?: string };
		return [
			...(light ? [{ theme: 'light' as const, url: light }] : []),
			...(dark ? [{ theme: 'dark' as const, url: dark }] : []),
		];
	}
	return [];
}

function describe(loader: PackageDirectoryLoader): LoadedPackage {
	const { packageName, directory } = loader;
	const prefix = `icons/${packageName}/`;
	const toIcon = (owner: string, kind: IconPath['kind'], theme: IconPath['theme'], url: string): IconPath => {
		// n8n's server (LoadNodesAndCredentials.resolveIcon) maps `icons/<package>/<rest>` to <package dir>/<rest>.
		const file = url.startsWith(prefix) ? path.resolve(directory, url.slice(prefix.length)) : '';
		return { owner, kind, theme, url, file, exists: file !== '' && existsSync(file) };
	};

	const nodeNames = Object.keys(loader.nodeTypes);
	const credentialNames = Object.keys(loader.credentialTypes);
	const latest = (name: string): INodeTypeDescription => {
		const [pkg, bare] = splitType(name);
		if (pkg !== '' && pkg !== packageName) throw new Error(`Node type "${name}" is not from package ${packageName}`);
		const entry = loader.nodeTypes[bare];
		if (!entry) throw new Error(`Package ${packageName} has no node "${bare}" (it has: ${nodeNames.join(', ') || 'none'})`);
		return NodeHelpers.getVersionedNodeType(entry.type).description;
	};

	const iconPaths: IconPath[] = [];
	for (const name of nodeNames) {
		const description = loader.nodeTypes[name].type.description as INodeTypeDescription;
		for (const { theme, url } of iconUrls(description.iconUrl)) {
			iconPaths.push(toIcon(`${packageName}.${name}`, 'node', theme, url));
		}
	}
	for (const name of credentialNames) {
		const credential = loader.credentialTypes[name].type;
		for (const { theme, url } of iconUrls(credential.iconUrl)) iconPaths.push(toIcon(name, 'credential', theme, url));
	}

	return {
		packageName,
		directory,
		loader,
		nodeTypes: nodeNames.map((name) => `${packageName}.${name}`),
		credentialTypes: credentialNames,
		nodeDescription: latest,
		credential(type: string) {
			const entry = loader.credentialTypes[type];
			if (!entry) {
				throw new Error(`Package ${packageName} has no credential "${type}" (it has: ${credentialNames.join(', ') || 'none'})`);
			}
			return entry.type;
		},
		iconPaths,
	};
}

interface N8nSection {
	nodes?: string[];
	credentials?: string[];
}

function n8nSection(directory: string): N8nSection {
	const pkg = JSON.parse(readFileSync(path.join(directory, 'package.json'), 'utf8')) as { n8n?: N8nSection };
	return pkg.n8n ?? {};
}

function missingFiles(directory: string): string[] {
	const { nodes = [], credentials = [] } = n8nSection(directory);
	return [...nodes, ...credentials].filter((file) => !existsSync(path.resolve(directory, file)));
}

/** The package already loaded from `resolved`, or undefined after checking that its n8n files exist. */
function alreadyLoaded(resolved: string): LoadedPackage | undefined {
	const cached = [...packages.values()].find((p) => p.directory === resolved || p.loader.directory === resolved);
	if (cached) return cached;
	const missing = missingFiles(resolved);
	if (missing.length > 0) {
		throw new Error(
			`Cannot load ${resolved}: files listed in package.json "n8n" are missing: ${missing.join(', ')}` +
				(resolved === PACKAGE_ROOT ? ' (run `npm run build` first)' : ''),
		);
	}
	return undefined;
}

/**
 * Loads a package directory with PackageDirectoryLoader.loadAll() and registers its types (once per directory
 * per module registry, i.e. once per jest test file).
 */
export async function loadPackage(directory: string): Promise<LoadedPackage> {
	const resolved = path.resolve(directory);
	const cached = alreadyLoaded(resolved);
	if (cached) return cached;
	const loader = new PackageDirectoryLoader(resolved);
	await loader.loadAll();
	const loaded = describe(loader);
	packages.set(loaded.packageName, loaded);
	return loaded;
}

/**
 * Synchronous variant for `loadedPackage()`: PackageDirectoryLoader.loadAll() is declared async but in n8n-core
 * 2.40 does all its work before its first await, so its state is complete when the call returns. If loading
 * failed, the files are loaded again one by one to throw the real error synchronously.
 */
export function loadPackageSync(directory: string): LoadedPackage {
	const resolved = path.resolve(directory);
	const cached = alreadyLoaded(resolved);
	if (cached) return cached;
	const loader = new PackageDirectoryLoader(resolved);
	let failure: unknown;
	loader.loadAll().catch((error: unknown) => {
		failure = error;
	});
	const { nodes = [], credentials = [] } = n8nSection(resolved);
	const complete =
		failure === undefined &&
		loader.loadedNodes.length >= nodes.length &&
		Object.keys(loader.credentialTypes).length >= credentials.length;
	if (!complete) {
		const probe = new PackageDirectoryLoader(resolved);
		for (const file of nodes) probe.loadNodeFromFile(file);
		for (const file of credentials) probe.loadCredentialFromFile(file);
		throw new Error(`PackageDirectoryLoader.loadAll() did not load everything from ${resolved}`);
	}
	const loaded = describe(loader);
	packages.set(loaded.packageName, loaded);
	return loaded;
}

/** Registers a test-only node type under its full type name (e.g. `n8n-nodes-engine-harness.double`). */
export function registerNodeType(fullType: string, nodeType: INodeType | IVersionedNodeType): void {
	extraNodeTypes.set(fullType, nodeType);
}

registerNodeType(ITEMS_NODE_TYPE, new TestItemsNode());

function findNodeType(fullType: string): INodeType | IVersionedNodeType {
	const extra = extraNodeTypes.get(fullType);
	if (extra) return extra;
	const [pkg, bare] = splitType(fullType);
	const loaded = packages.get(pkg);
	if (loaded) return loaded.loader.getNode(bare).type;
	const known = [...extraNodeTypes.keys(), ...[...packages.values()].flatMap((p) => p.nodeTypes)];
	throw new Error(`Unrecognized node type "${fullType}" (registered: ${known.join(', ')})`);
}

/** What n8n's server passes to Workflow as `nodeTypes`. */
export const nodeTypes: INodeTypes = {
	getByName: (type) => findNodeType(type),
	getByNameAndVersion: (type, version) => NodeHelpers.getVersionedNodeType(findNodeType(type), version),
	getKnownTypes(): IDataObject {
		const known: IDataObject = {};
		for (const p of packages.values()) {
			for (const [name, info] of Object.entries(p.loader.known.nodes)) known[`${p.packageName}.${name}`] = { ...info };
		}
		for (const type of extraNodeTypes.keys()) known[type] = { className: 'TestNode', sourcePath: '' };
		return known;
	},
};

function findCredentialType(name: string): ICredentialType | undefined {
	for (const p of packages.values()) {
		const entry = p.loader.credentialTypes[name];
		if (entry) return entry.type;
	}
	return undefined;
}

/** What n8n's server CredentialTypes service answers, over every loaded package. */
export const credentialTypes: ICredentialTypes = {
	recognizes: (name) => findCredentialType(name) !== undefined,
	getByName(name) {
		const type = findCredentialType(name);
		if (!type) {
			const known = [...packages.values()].flatMap((p) => p.credentialTypes);
			throw new Error(`Unrecognized credential type "${name}" (loaded: ${known.join(', ') || 'none'})`);
		}
		return type;
	},
	getSupportedNodes(name) {
		for (const p of packages.values()) {
			if (p.loader.credentialTypes[name]) {
				return (p.loader.known.credentials[name]?.supportedNodes ?? []).map((node) => `${p.packageName}.${node}`);
			}
		}
		return [];
	},
	getParentTypes(name) {
		const parents: string[] = [];
		const visit = (typeName: string) => {
			for (const parent of findCredentialType(typeName)?.extends ?? []) {
				if (parents.includes(parent)) continue;
				parents.push(parent);
				visit(parent);
			}
		};
		visit(name);
		return parents;
	},
};

export function latestVersion(fullType: string): number {
	const type = findNodeType(fullType);
	if ('nodeVersions' in type) return type.currentVersion;
	const { version } = type.description;
	return Array.isArray(version) ? Math.max(...version) : version;
}

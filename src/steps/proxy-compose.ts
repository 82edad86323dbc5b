import { readAsset } from '../assets.js';
import { parse } from 'yaml';

/**
 * Two generations of the proxy, as the mixes expect them: the blazor mixes join an
 * external network `nginx`; the web and jamstack mixes run on the default bridge.
 */
export type ProxyGeneration = 'network' | 'bridge';

const cache = new Map<ProxyGeneration, string>();

function template(gen: ProxyGeneration): string {
  let t = cache.get(gen);
  if (!t) {
    t = readAsset(`nginx-proxy-${gen}.yml`);
    cache.set(gen, t);
  }
  return t;
}

/** The email is validated to [A-Za-z0-9._%+-]@domain, so it is safe inside the quoted YAML string; `$` never occurs. */
export function renderProxyCompose(gen: ProxyGeneration, email: string): string {
  if (!/^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+$/.test(email)) throw new Error('renderProxyCompose: unvalidated email');
  return template(gen).replace('{{EMAIL}}', email);
}

/** Reads the app's compose file (from the repository) to pick the proxy generation. */
export function proxyGenerationOf(appCompose: string | undefined): ProxyGeneration | undefined {
  if (!appCompose) return undefined;
  let doc: { networks?: Record<string, { external?: unknown; name?: unknown } | null> } | undefined;
  try {
    doc = parse(appCompose) as typeof doc;
  } catch {
    return /external:\s*true/.test(appCompose) && /name:\s*nginx\b/.test(appCompose) ? 'network' : undefined;
  }
  const nets = Object.values(doc?.networks ?? {});
  if (nets.some((n) => n && n.external && n.name === 'nginx')) return 'network';
  return 'bridge';
}

import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { TargetId } from '../../src/targets/index.js';

export const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'servicestack-mix');

export interface Mix {
  name: string;
  family: 'web' | 'blazor' | 'jamstack';
  target: TargetId;
  workflow: string;
  compose: string;
  composePath: string;
}

export function mixes(): Mix[] {
  return readdirSync(FIXTURES)
    .filter((d) => /litestream-(aws|azure|sftp)$/.test(d))
    .map((name) => {
      const dir = join(FIXTURES, name);
      const composePath = existsSync(join(dir, '.deploy', 'docker-compose.yml')) ? '.deploy/docker-compose.yml' : '.deploy/docker-compose-template.yml';
      return {
        name,
        family: name.startsWith('blazor') ? 'blazor' : name.startsWith('jamstack') ? 'jamstack' : 'web',
        target: /-(aws|azure|sftp)$/.exec(name)![1] as TargetId,
        workflow: readFileSync(join(dir, '.github', 'workflows', 'release.yml'), 'utf8'),
        compose: readFileSync(join(dir, composePath), 'utf8'),
        composePath,
      };
    });
}

import { GroupPattern, PATTERN_ROLE_PREFIXES } from '../protocol/group-pattern.js';
import type { Permission } from '../protocol/rules.js';

/** A pattern role the service cannot use, and why: it grants nothing and the connection goes on. */
export interface InvalidRole {
  role: string;
  reason: string;
}

/**
 * One permission (joinLeaveGroup or sendToGroup) of one connection, for every group: from its roles
 * (`webpubsub.<permission>` for all groups, `.<group>` for one, the plural `s.<pattern>` for groups
 * matching a pattern), then changed by grant and revoke over REST. A grant or revoke naming a group
 * overrides whatever the roles say of that group; one without a group sets every group at once.
 */
export class GroupPermissions {
  private all = false;
  private patterns: GroupPattern[] = [];
  /** Per-group answers that override `all` and the patterns: role literals, REST grants and revokes. */
  private readonly groups = new Map<string, boolean>();

  constructor(permission: Permission, roles: Iterable<string>, invalid: InvalidRole[]) {
    const all = `webpubsub.${permission}`;
    const patternPrefix = PATTERN_ROLE_PREFIXES[permission];
    for (const role of roles) {
      if (role === all) this.all = true;
      else if (role.startsWith(`${all}.`)) this.groups.set(role.slice(all.length + 1), true);
      else if (role.startsWith(patternPrefix)) {
        const pattern = GroupPattern.parse(role.slice(patternPrefix.length));
        if (pattern instanceof GroupPattern) this.patterns.push(pattern);
        else invalid.push({ role, reason: pattern.invalid });
      }
    }
  }

  allows(group: string): boolean {
    return this.groups.get(group) ?? (this.all || this.patterns.some((pattern) => pattern.matches(group)));
  }

  /** Whether it covers every group (what CheckPermission without targetName asks). */
  get coversAll(): boolean {
    return this.all;
  }

  grant(group?: string): void {
    if (group !== undefined) return void this.groups.set(group, true);
    this.all = true;
    this.groups.clear();
  }

  /** Without a group, it takes the permission away for every group, roles and grants alike. */
  revoke(group?: string): void {
    if (group !== undefined) return void this.groups.set(group, false);
    this.all = false;
    this.patterns = [];
    this.groups.clear();
  }
}

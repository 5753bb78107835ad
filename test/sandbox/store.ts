/** Data namespaced per Stripe account: the platform (no Stripe-Account header) and the connected accounts. */
import { AccountLedger, MonotonicClock, type EventSink } from './ledger';

export const PLATFORM_ACCOUNT_ID = 'acct_1SandboxPlatform0';

export class SandboxStore {
  private readonly clock = new MonotonicClock();
  readonly platform: AccountLedger;
  private readonly connected = new Map<string, AccountLedger>();

  constructor(private readonly sink?: EventSink) {
    this.platform = new AccountLedger(this.clock, sink);
  }

  addAccount(id: string): AccountLedger {
    let ledger = this.connected.get(id);
    if (!ledger) {
      ledger = new AccountLedger(this.clock, this.sink);
      this.connected.set(id, ledger);
    }
    return ledger;
  }

  hasAccount(id: string): boolean {
    return this.connected.has(id);
  }

  /** The platform's ledger for undefined; undefined for an account never added. */
  ledger(account: string | undefined): AccountLedger | undefined {
    return account === undefined ? this.platform : this.connected.get(account);
  }

  /** Every account's data becomes `seconds` older. */
  age(seconds: number): void {
    this.platform.age(seconds);
    for (const ledger of this.connected.values()) ledger.age(seconds);
  }

  clearData(): void {
    this.platform.clear();
    for (const ledger of this.connected.values()) ledger.clear();
  }
}

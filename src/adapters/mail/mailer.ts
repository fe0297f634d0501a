import nodemailer from "nodemailer";
import type { Logger } from "pino";

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

export interface Mailer {
  send(message: MailMessage): Promise<void>;
}

/** SMTP through nodemailer when SMTP_URL is set; otherwise e-mails are written to the log only. */
export function createMailer(options: { smtpUrl?: string; from: string; logger: Logger; logContents: boolean }): Mailer {
  const transport = options.smtpUrl ? nodemailer.createTransport(options.smtpUrl) : nodemailer.createTransport({ jsonTransport: true });
  return {
    async send(message) {
      await transport.sendMail({ from: options.from, ...message });
      if (!options.smtpUrl) {
        options.logger.info(
          options.logContents ? { mail: message } : { to: message.to, subject: message.subject },
          "e-mail not sent: SMTP_URL is not configured",
        );
      }
    },
  };
}

/** Keeps e-mails in memory (tests, demos). */
export class MemoryMailer implements Mailer {
  readonly outbox: MailMessage[] = [];

  async send(message: MailMessage): Promise<void> {
    this.outbox.push(message);
  }
}

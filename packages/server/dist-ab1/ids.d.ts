/** A new upload id: 144 random bits, base64url (24 characters). */
export declare function newUploadId(): string;
export declare function isValidUploadId(id: string): boolean;
//# sourceMappingURL=ids.d.ts.map
IF OBJECT_ID(N'[__EFMigrationsHistory]') IS NULL
BEGIN
    CREATE TABLE [__EFMigrationsHistory] (
        [MigrationId] nvarchar(150) NOT NULL,
        [ProductVersion] nvarchar(32) NOT NULL,
        CONSTRAINT [PK___EFMigrationsHistory] PRIMARY KEY ([MigrationId])
    );
END;
GO

BEGIN TRANSACTION;
IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127190503_Initial'
)
BEGIN
    CREATE TABLE [AuditRecords] (
        [Sequence] bigint NOT NULL,
        [OccurredAt] datetimeoffset NOT NULL,
        [Principal] nvarchar(200) NOT NULL,
        [Agency] nvarchar(32) NULL,
        [Action] nvarchar(64) NOT NULL,
        [Target] nvarchar(128) NULL,
        [Outcome] nvarchar(64) NOT NULL,
        [Detail] nvarchar(1000) NULL,
        [PreviousHash] nchar(64) NOT NULL,
        [Hash] nchar(64) NOT NULL,
        CONSTRAINT [PK_AuditRecords] PRIMARY KEY ([Sequence])
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127190503_Initial'
)
BEGIN
    CREATE TABLE [CardEvents] (
        [Sequence] bigint NOT NULL,
        [Type] int NOT NULL,
        [CardNumber] nchar(11) NOT NULL,
        [CardVersion] int NOT NULL,
        [State] int NOT NULL,
        [Tier] int NOT NULL,
        [HolderDisplayName] nvarchar(64) NOT NULL,
        [ExpiresAt] datetime2 NOT NULL,
        [OccurredAt] datetime2 NOT NULL,
        [TalentId] nvarchar(40) NOT NULL,
        [RevocationReason] int NOT NULL,
        CONSTRAINT [PK_CardEvents] PRIMARY KEY ([Sequence])
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127190503_Initial'
)
BEGIN
    CREATE TABLE [IdempotencyRecords] (
        [Operation] nvarchar(64) NOT NULL,
        [RequestId] nvarchar(64) NOT NULL,
        [RequestHash] varbinary(32) NOT NULL,
        [Response] varbinary(max) NOT NULL,
        [CreatedAt] datetimeoffset NOT NULL,
        CONSTRAINT [PK_IdempotencyRecords] PRIMARY KEY ([Operation], [RequestId])
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127190503_Initial'
)
BEGIN
    CREATE TABLE [SigningKeys] (
        [Kid] nchar(16) NOT NULL,
        [SubjectPublicKeyInfo] varbinary(200) NOT NULL,
        [PrivateKeyCipher] varbinary(1000) NOT NULL,
        [Status] int NOT NULL,
        [ValidFrom] datetime2 NOT NULL,
        [ValidUntil] datetime2 NULL,
        [TrustedUntil] datetime2 NULL,
        [Origin] nvarchar(16) NOT NULL,
        [CreatedAt] datetime2 NOT NULL,
        CONSTRAINT [PK_SigningKeys] PRIMARY KEY ([Kid])
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127190503_Initial'
)
BEGIN
    CREATE TABLE [Talents] (
        [Id] bigint NOT NULL IDENTITY,
        [TalentId] nvarchar(40) NOT NULL,
        [FullName] nvarchar(64) NOT NULL,
        [Gender] int NOT NULL,
        [DocumentType] int NOT NULL,
        [DocumentNumberCipher] varbinary(128) NOT NULL,
        [DocumentBlindIndex] varbinary(32) NOT NULL,
        [Nationality] nchar(3) NOT NULL,
        [MobilePhoneCipher] varbinary(128) NOT NULL,
        [EmployerName] nvarchar(200) NOT NULL,
        [EmployerCreditCode] nchar(18) NOT NULL,
        [Tier] int NOT NULL,
        [Programme] nvarchar(100) NOT NULL,
        [Photo] varbinary(max) NULL,
        [PhotoContentType] nvarchar(32) NULL,
        [CreatedAt] datetime2 NOT NULL,
        [UpdatedAt] datetime2 NOT NULL,
        CONSTRAINT [PK_Talents] PRIMARY KEY ([Id]),
        CONSTRAINT [AK_Talents_TalentId] UNIQUE ([TalentId])
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127190503_Initial'
)
BEGIN
    CREATE TABLE [Cards] (
        [CardNumber] nchar(11) NOT NULL,
        [Year] int NOT NULL,
        [Serial] int NOT NULL,
        [TalentId] nvarchar(40) NOT NULL,
        [Version] int NOT NULL,
        [State] int NOT NULL,
        [Tier] int NOT NULL,
        [HolderDisplayName] nvarchar(64) NOT NULL,
        [IssuedAt] datetime2 NOT NULL,
        [ExpiresAt] datetime2 NOT NULL,
        [UpdatedAt] datetime2 NOT NULL,
        [RevocationReason] int NOT NULL,
        [StateNote] nvarchar(500) NOT NULL,
        [LastEventSequence] bigint NOT NULL,
        CONSTRAINT [PK_Cards] PRIMARY KEY ([CardNumber]),
        CONSTRAINT [FK_Cards_Talents_TalentId] FOREIGN KEY ([TalentId]) REFERENCES [Talents] ([TalentId]) ON DELETE NO ACTION
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127190503_Initial'
)
BEGIN
    CREATE INDEX [IX_AuditRecords_Target] ON [AuditRecords] ([Target]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127190503_Initial'
)
BEGIN
    CREATE INDEX [IX_CardEvents_CardNumber] ON [CardEvents] ([CardNumber]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127190503_Initial'
)
BEGIN
    CREATE INDEX [IX_Cards_LastEventSequence] ON [Cards] ([LastEventSequence]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127190503_Initial'
)
BEGIN
    CREATE INDEX [IX_Cards_State_Version] ON [Cards] ([State], [Version]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127190503_Initial'
)
BEGIN
    CREATE INDEX [IX_Cards_TalentId_State] ON [Cards] ([TalentId], [State]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127190503_Initial'
)
BEGIN
    CREATE UNIQUE INDEX [IX_Cards_Year_Serial] ON [Cards] ([Year], [Serial]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127190503_Initial'
)
BEGIN
    CREATE INDEX [IX_SigningKeys_Status] ON [SigningKeys] ([Status]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127190503_Initial'
)
BEGIN
    CREATE UNIQUE INDEX [IX_Talents_DocumentBlindIndex] ON [Talents] ([DocumentBlindIndex]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127190503_Initial'
)
BEGIN
    CREATE INDEX [IX_Talents_FullName] ON [Talents] ([FullName]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127190503_Initial'
)
BEGIN
    CREATE UNIQUE INDEX [IX_Talents_TalentId] ON [Talents] ([TalentId]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127190503_Initial'
)
BEGIN
    CREATE INDEX [IX_Talents_Tier] ON [Talents] ([Tier]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127190503_Initial'
)
BEGIN
    INSERT INTO [__EFMigrationsHistory] ([MigrationId], [ProductVersion])
    VALUES (N'20261127190503_Initial', N'10.0.15');
END;

COMMIT;
GO

BEGIN TRANSACTION;
IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261207124438_SigningKeyRevocation'
)
BEGIN
    ALTER TABLE [SigningKeys] ADD [RevocationNote] nvarchar(500) NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261207124438_SigningKeyRevocation'
)
BEGIN
    ALTER TABLE [SigningKeys] ADD [RevokedAt] datetime2 NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261207124438_SigningKeyRevocation'
)
BEGIN
    ALTER TABLE [SigningKeys] ADD [SignaturesRecorded] bit NOT NULL DEFAULT CAST(0 AS bit);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261207124438_SigningKeyRevocation'
)
BEGIN
    CREATE TABLE [SignedTokens] (
        [Kid] nchar(16) NOT NULL,
        [CardNumber] nchar(11) NOT NULL,
        [CardVersion] int NOT NULL,
        [ExpiresAt] datetime2 NOT NULL,
        [LastSignedAt] datetime2 NOT NULL,
        CONSTRAINT [PK_SignedTokens] PRIMARY KEY ([Kid], [CardNumber])
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261207124438_SigningKeyRevocation'
)
BEGIN
    INSERT INTO [__EFMigrationsHistory] ([MigrationId], [ProductVersion])
    VALUES (N'20261207124438_SigningKeyRevocation', N'10.0.15');
END;

COMMIT;
GO


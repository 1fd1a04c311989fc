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
    WHERE [MigrationId] = N'20261127191246_Initial'
)
BEGIN
    CREATE TABLE [Agencies] (
        [Code] nvarchar(32) NOT NULL,
        [Name] nvarchar(100) NOT NULL,
        [EnglishName] nvarchar(200) NOT NULL,
        [Active] bit NOT NULL,
        [SortOrder] int NOT NULL,
        CONSTRAINT [PK_Agencies] PRIMARY KEY ([Code])
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127191246_Initial'
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
    WHERE [MigrationId] = N'20261127191246_Initial'
)
BEGIN
    CREATE TABLE [CardStates] (
        [CardNumber] nvarchar(16) NOT NULL,
        [Version] int NOT NULL,
        [State] int NOT NULL,
        [Tier] int NOT NULL,
        [HolderDisplayName] nvarchar(64) NOT NULL,
        [ExpiresAtUnixSeconds] bigint NOT NULL,
        [TalentId] nvarchar(40) NOT NULL,
        [Sequence] bigint NOT NULL,
        CONSTRAINT [PK_CardStates] PRIMARY KEY ([CardNumber])
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127191246_Initial'
)
BEGIN
    CREATE TABLE [CardVerifications] (
        [AuditSequence] bigint NOT NULL,
        [CardNumber] nvarchar(16) NOT NULL,
        [OccurredAt] datetimeoffset NOT NULL,
        [AgencyCode] nvarchar(32) NOT NULL,
        [Outcome] nvarchar(64) NOT NULL,
        [Action] nvarchar(16) NOT NULL,
        [BenefitCode] nvarchar(64) NULL,
        CONSTRAINT [PK_CardVerifications] PRIMARY KEY ([AuditSequence])
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127191246_Initial'
)
BEGIN
    CREATE TABLE [FeedCursor] (
        [Id] int NOT NULL,
        [LastSequence] bigint NOT NULL,
        [StateAsOfUtcTicks] bigint NOT NULL,
        CONSTRAINT [PK_FeedCursor] PRIMARY KEY ([Id])
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127191246_Initial'
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
    WHERE [MigrationId] = N'20261127191246_Initial'
)
BEGIN
    CREATE TABLE [TrustedKeys] (
        [Kid] nvarchar(16) NOT NULL,
        [SubjectPublicKeyInfo] varbinary(200) NOT NULL,
        [ValidFromUtcTicks] bigint NOT NULL,
        [ValidUntilUtcTicks] bigint NULL,
        [Status] int NOT NULL,
        CONSTRAINT [PK_TrustedKeys] PRIMARY KEY ([Kid])
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127191246_Initial'
)
BEGIN
    IF EXISTS (SELECT * FROM [sys].[identity_columns] WHERE [name] IN (N'Code', N'Active', N'EnglishName', N'Name', N'SortOrder') AND [object_id] = OBJECT_ID(N'[Agencies]'))
        SET IDENTITY_INSERT [Agencies] ON;
    EXEC(N'INSERT INTO [Agencies] ([Code], [Active], [EnglishName], [Name], [SortOrder])
    VALUES (N''APPROVAL'', CAST(1 AS bit), N''Administrative Approval Service Bureau'', N''陵城区行政审批服务局'', 12),
    (N''CULTOUR'', CAST(1 AS bit), N''Culture and Tourism Bureau'', N''陵城区文化和旅游局'', 11),
    (N''EDU'', CAST(1 AS bit), N''Education and Sports Bureau'', N''陵城区教育和体育局'', 3),
    (N''FINANCE'', CAST(1 AS bit), N''Finance Bureau'', N''陵城区财政局'', 14),
    (N''FINREG'', CAST(1 AS bit), N''Local Financial Supervision Bureau'', N''陵城区地方金融监管局'', 15),
    (N''HEALTH'', CAST(1 AS bit), N''Health Bureau'', N''陵城区卫生健康局'', 4),
    (N''HOSP_PEOPLE'', CAST(1 AS bit), N''District People''''s Hospital'', N''陵城区人民医院'', 5),
    (N''HOSP_TCM'', CAST(1 AS bit), N''District Hospital of Traditional Chinese Medicine'', N''陵城区中医院'', 6),
    (N''HOUSING'', CAST(1 AS bit), N''Housing and Urban-Rural Development Bureau'', N''陵城区住房和城乡建设局'', 9),
    (N''HRSS'', CAST(1 AS bit), N''HR and Social Security Bureau'', N''陵城区人力资源和社会保障局'', 2),
    (N''IIT'', CAST(1 AS bit), N''Industry and Information Technology Bureau'', N''陵城区工业和信息化局'', 18),
    (N''MEDINS'', CAST(1 AS bit), N''Medical Security Bureau'', N''陵城区医疗保障局'', 7),
    (N''ORG'', CAST(1 AS bit), N''District Party Committee Organisation Department'', N''中共德州市陵城区委组织部'', 1),
    (N''PSB'', CAST(1 AS bit), N''Public Security Sub-bureau'', N''德州市公安局陵城分局'', 8),
    (N''SCITECH'', CAST(1 AS bit), N''Science and Technology Bureau'', N''陵城区科学技术局'', 13),
    (N''TAX'', CAST(1 AS bit), N''Lingcheng Tax Bureau'', N''国家税务总局德州市陵城区税务局'', 16),
    (N''TRANSPORT'', CAST(1 AS bit), N''Transport Bureau'', N''陵城区交通运输局'', 10),
    (N''UNION'', CAST(1 AS bit), N''District Federation of Trade Unions'', N''陵城区总工会'', 17)');
    IF EXISTS (SELECT * FROM [sys].[identity_columns] WHERE [name] IN (N'Code', N'Active', N'EnglishName', N'Name', N'SortOrder') AND [object_id] = OBJECT_ID(N'[Agencies]'))
        SET IDENTITY_INSERT [Agencies] OFF;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127191246_Initial'
)
BEGIN
    CREATE INDEX [IX_AuditRecords_Target] ON [AuditRecords] ([Target]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127191246_Initial'
)
BEGIN
    CREATE INDEX [IX_CardVerifications_CardNumber_AuditSequence] ON [CardVerifications] ([CardNumber], [AuditSequence]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127191246_Initial'
)
BEGIN
    INSERT INTO [__EFMigrationsHistory] ([MigrationId], [ProductVersion])
    VALUES (N'20261127191246_Initial', N'10.0.15');
END;

COMMIT;
GO

BEGIN TRANSACTION;
IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128005508_AuditWithoutTargetIndex'
)
BEGIN
    DROP INDEX [IX_AuditRecords_Target] ON [AuditRecords];
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261128005508_AuditWithoutTargetIndex'
)
BEGIN
    INSERT INTO [__EFMigrationsHistory] ([MigrationId], [ProductVersion])
    VALUES (N'20261128005508_AuditWithoutTargetIndex', N'10.0.15');
END;

COMMIT;
GO

BEGIN TRANSACTION;
IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261207124504_TrustedKeyTrustEnd'
)
BEGIN
    ALTER TABLE [TrustedKeys] ADD [TrustedUntilUtcTicks] bigint NULL;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261207124504_TrustedKeyTrustEnd'
)
BEGIN
    INSERT INTO [__EFMigrationsHistory] ([MigrationId], [ProductVersion])
    VALUES (N'20261207124504_TrustedKeyTrustEnd', N'10.0.15');
END;

COMMIT;
GO


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
    WHERE [MigrationId] = N'20261127190410_Initial'
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
    WHERE [MigrationId] = N'20261127190410_Initial'
)
BEGIN
    CREATE TABLE [BenefitRevisions] (
        [Code] nvarchar(64) NOT NULL,
        [Revision] bigint NOT NULL,
        [Name] nvarchar(100) NOT NULL,
        [Description] nvarchar(500) NOT NULL,
        [ProviderAgencyCodes] nvarchar(500) NOT NULL,
        [EligibleTiers] nvarchar(4) NOT NULL,
        [QuotaPeriod] int NOT NULL,
        [QuotaLimit] int NOT NULL,
        [Active] bit NOT NULL,
        [ChangedBy] nvarchar(200) NOT NULL,
        [ChangedAt] datetimeoffset NOT NULL,
        [RequestId] nvarchar(64) NULL,
        [ChangedFields] nvarchar(200) NULL,
        CONSTRAINT [PK_BenefitRevisions] PRIMARY KEY ([Code], [Revision])
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127190410_Initial'
)
BEGIN
    CREATE TABLE [Benefits] (
        [Code] nvarchar(64) NOT NULL,
        [Name] nvarchar(100) NOT NULL,
        [Description] nvarchar(500) NOT NULL,
        [ProviderAgencyCodes] nvarchar(500) NOT NULL,
        [EligibleTiers] nvarchar(4) NOT NULL,
        [QuotaPeriod] int NOT NULL,
        [QuotaLimit] int NOT NULL,
        [Active] bit NOT NULL,
        [SortOrder] int NOT NULL,
        [Revision] bigint NOT NULL,
        [UpdatedAt] datetimeoffset NOT NULL,
        CONSTRAINT [PK_Benefits] PRIMARY KEY ([Code])
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127190410_Initial'
)
BEGIN
    CREATE TABLE [CardFeedCursor] (
        [Id] int NOT NULL,
        [LastSequence] bigint NOT NULL,
        [LastEventTime] datetimeoffset NULL,
        [UpdatedAt] datetimeoffset NOT NULL,
        CONSTRAINT [PK_CardFeedCursor] PRIMARY KEY ([Id])
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127190410_Initial'
)
BEGIN
    CREATE TABLE [CardStates] (
        [CardNumber] nvarchar(16) NOT NULL,
        [TalentId] nvarchar(64) NOT NULL,
        [Version] int NOT NULL,
        [State] int NOT NULL,
        [Tier] int NOT NULL,
        [ExpireTime] datetimeoffset NOT NULL,
        [LastSequence] bigint NOT NULL,
        [ChangedAt] datetimeoffset NOT NULL,
        CONSTRAINT [PK_CardStates] PRIMARY KEY ([CardNumber])
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127190410_Initial'
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
    WHERE [MigrationId] = N'20261127190410_Initial'
)
BEGIN
    CREATE TABLE [Redemptions] (
        [RedemptionId] nvarchar(64) NOT NULL,
        [CardNumber] nvarchar(16) NOT NULL,
        [CardVersion] int NOT NULL,
        [BenefitCode] nvarchar(64) NOT NULL,
        [AgencyCode] nvarchar(32) NOT NULL,
        [TerminalId] nvarchar(64) NOT NULL,
        [RedeemTimeUtc] datetime2 NOT NULL,
        [Period] nvarchar(16) NOT NULL,
        [CstMonth] nchar(7) NOT NULL,
        [CstYear] int NOT NULL,
        [RecordedBy] nvarchar(200) NOT NULL,
        [Cancelled] bit NOT NULL,
        [CancelTimeUtc] datetime2 NULL,
        [CancelReason] nvarchar(500) NULL,
        CONSTRAINT [PK_Redemptions] PRIMARY KEY ([RedemptionId])
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127190410_Initial'
)
BEGIN
    CREATE TABLE [UsageCounters] (
        [CardNumber] nvarchar(16) NOT NULL,
        [BenefitCode] nvarchar(64) NOT NULL,
        [Period] nvarchar(16) NOT NULL,
        [Used] int NOT NULL,
        [UpdatedAt] datetimeoffset NOT NULL,
        CONSTRAINT [PK_UsageCounters] PRIMARY KEY ([CardNumber], [BenefitCode], [Period])
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127190410_Initial'
)
BEGIN
    IF EXISTS (SELECT * FROM [sys].[identity_columns] WHERE [name] IN (N'Code', N'Revision', N'Active', N'ChangedAt', N'ChangedBy', N'ChangedFields', N'Description', N'EligibleTiers', N'Name', N'ProviderAgencyCodes', N'QuotaLimit', N'QuotaPeriod', N'RequestId') AND [object_id] = OBJECT_ID(N'[BenefitRevisions]'))
        SET IDENTITY_INSERT [BenefitRevisions] ON;
    EXEC(N'INSERT INTO [BenefitRevisions] ([Code], [Revision], [Active], [ChangedAt], [ChangedBy], [ChangedFields], [Description], [EligibleTiers], [Name], [ProviderAgencyCodes], [QuotaLimit], [QuotaPeriod], [RequestId])
    VALUES (N''ANNUAL_HEALTH_CHECK'', CAST(1 AS bigint), CAST(1 AS bit), ''2026-01-01T00:00:00.0000000+08:00'', N''seed'', NULL, N''Free annual health check'', N''ABCD'', N''年度免费健康体检'', N''HOSP_PEOPLE,HOSP_TCM,HEALTH'', 1, 2, NULL),
    (N''CHILD_KINDERGARTEN'', CAST(1 AS bigint), CAST(1 AS bit), ''2026-01-01T00:00:00.0000000+08:00'', N''seed'', NULL, N''Children''''s kindergarten admission'', N''ABC'', N''子女入园'', N''EDU'', 2, 3, NULL),
    (N''CHILD_SCHOOL_ENROLMENT'', CAST(1 AS bigint), CAST(1 AS bit), ''2026-01-01T00:00:00.0000000+08:00'', N''seed'', NULL, N''Children''''s enrolment in compulsory education'', N''ABC'', N''子女入学'', N''EDU'', 2, 3, NULL),
    (N''FREE_PUBLIC_TRANSIT'', CAST(1 AS bigint), CAST(1 AS bit), ''2026-01-01T00:00:00.0000000+08:00'', N''seed'', NULL, N''Free urban and rural bus rides'', N''ABCD'', N''城乡公交免费乘车'', N''TRANSPORT'', 0, 1, NULL),
    (N''GOV_SERVICE_GREEN_CHANNEL'', CAST(1 AS bigint), CAST(1 AS bit), ''2026-01-01T00:00:00.0000000+08:00'', N''seed'', NULL, N''Government service green channel (一次办好)'', N''ABCD'', N''政务服务绿色通道'', N''APPROVAL,TAX,SCITECH,IIT,ORG'', 0, 1, NULL),
    (N''HOUSING_SUBSIDY'', CAST(1 AS bigint), CAST(1 AS bit), ''2026-01-01T00:00:00.0000000+08:00'', N''seed'', NULL, N''Home purchase subsidy'', N''AB'', N''购房补贴'', N''HOUSING,FINANCE'', 1, 3, NULL),
    (N''HUKOU_EXIT_ENTRY'', CAST(1 AS bigint), CAST(1 AS bit), ''2026-01-01T00:00:00.0000000+08:00'', N''seed'', NULL, N''Household registration and exit-entry documents'', N''ABCD'', N''落户与出入境证件便利'', N''PSB'', 0, 1, NULL),
    (N''MEDICAL_GREEN_CHANNEL'', CAST(1 AS bigint), CAST(1 AS bit), ''2026-01-01T00:00:00.0000000+08:00'', N''seed'', NULL, N''Priority registration, consultation and admission'', N''ABCD'', N''就医绿色通道'', N''HOSP_PEOPLE,HOSP_TCM'', 0, 1, NULL),
    (N''MEDICAL_INSURANCE_SERVICE'', CAST(1 AS bigint), CAST(1 AS bit), ''2026-01-01T00:00:00.0000000+08:00'', N''seed'', NULL, N''Priority medical-insurance services'', N''ABCD'', N''医保业务优先办理'', N''MEDINS'', 0, 1, NULL),
    (N''RECUPERATION'', CAST(1 AS bigint), CAST(1 AS bit), ''2026-01-01T00:00:00.0000000+08:00'', N''seed'', NULL, N''Recuperation leave'', N''AB'', N''疗休养'', N''UNION'', 1, 2, NULL),
    (N''SCENIC_SPOT_ENTRY'', CAST(1 AS bigint), CAST(1 AS bit), ''2026-01-01T00:00:00.0000000+08:00'', N''seed'', NULL, N''Free entry to A-grade scenic spots'', N''ABCD'', N''A级景区免费游览'', N''CULTOUR'', 12, 2, NULL),
    (N''SPORTS_CULTURE_VENUES'', CAST(1 AS bigint), CAST(1 AS bit), ''2026-01-01T00:00:00.0000000+08:00'', N''seed'', NULL, N''Free or priority use of sports and cultural venues'', N''ABCD'', N''体育场馆、文化场馆免费或优先使用'', N''EDU,CULTOUR'', 0, 1, NULL),
    (N''SPOUSE_EMPLOYMENT'', CAST(1 AS bigint), CAST(1 AS bit), ''2026-01-01T00:00:00.0000000+08:00'', N''seed'', NULL, N''Employment placement for the spouse'', N''AB'', N''配偶就业安置'', N''HRSS'', 1, 3, NULL),
    (N''TALENT_APARTMENT'', CAST(1 AS bigint), CAST(1 AS bit), ''2026-01-01T00:00:00.0000000+08:00'', N''seed'', NULL, N''Talent apartment'', N''ABCD'', N''人才公寓'', N''HOUSING'', 1, 3, NULL),
    (N''TALENT_LOAN'', CAST(1 AS bigint), CAST(1 AS bit), ''2026-01-01T00:00:00.0000000+08:00'', N''seed'', NULL, N''Talent loan financial services'', N''ABC'', N''人才贷金融服务'', N''FINREG'', 1, 2, NULL),
    (N''TITLE_EVALUATION_FAST_TRACK'', CAST(1 AS bigint), CAST(1 AS bit), ''2026-01-01T00:00:00.0000000+08:00'', N''seed'', NULL, N''Fast track for professional title evaluation'', N''ABCD'', N''职称评审绿色通道'', N''HRSS'', 1, 2, NULL)');
    IF EXISTS (SELECT * FROM [sys].[identity_columns] WHERE [name] IN (N'Code', N'Revision', N'Active', N'ChangedAt', N'ChangedBy', N'ChangedFields', N'Description', N'EligibleTiers', N'Name', N'ProviderAgencyCodes', N'QuotaLimit', N'QuotaPeriod', N'RequestId') AND [object_id] = OBJECT_ID(N'[BenefitRevisions]'))
        SET IDENTITY_INSERT [BenefitRevisions] OFF;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127190410_Initial'
)
BEGIN
    IF EXISTS (SELECT * FROM [sys].[identity_columns] WHERE [name] IN (N'Code', N'Active', N'Description', N'EligibleTiers', N'Name', N'ProviderAgencyCodes', N'QuotaLimit', N'QuotaPeriod', N'Revision', N'SortOrder', N'UpdatedAt') AND [object_id] = OBJECT_ID(N'[Benefits]'))
        SET IDENTITY_INSERT [Benefits] ON;
    EXEC(N'INSERT INTO [Benefits] ([Code], [Active], [Description], [EligibleTiers], [Name], [ProviderAgencyCodes], [QuotaLimit], [QuotaPeriod], [Revision], [SortOrder], [UpdatedAt])
    VALUES (N''ANNUAL_HEALTH_CHECK'', CAST(1 AS bit), N''Free annual health check'', N''ABCD'', N''年度免费健康体检'', N''HOSP_PEOPLE,HOSP_TCM,HEALTH'', 1, 2, CAST(1 AS bigint), 2, ''2026-01-01T00:00:00.0000000+08:00''),
    (N''CHILD_KINDERGARTEN'', CAST(1 AS bit), N''Children''''s kindergarten admission'', N''ABC'', N''子女入园'', N''EDU'', 2, 3, CAST(1 AS bigint), 5, ''2026-01-01T00:00:00.0000000+08:00''),
    (N''CHILD_SCHOOL_ENROLMENT'', CAST(1 AS bit), N''Children''''s enrolment in compulsory education'', N''ABC'', N''子女入学'', N''EDU'', 2, 3, CAST(1 AS bigint), 4, ''2026-01-01T00:00:00.0000000+08:00''),
    (N''FREE_PUBLIC_TRANSIT'', CAST(1 AS bit), N''Free urban and rural bus rides'', N''ABCD'', N''城乡公交免费乘车'', N''TRANSPORT'', 0, 1, CAST(1 AS bigint), 10, ''2026-01-01T00:00:00.0000000+08:00''),
    (N''GOV_SERVICE_GREEN_CHANNEL'', CAST(1 AS bit), N''Government service green channel (一次办好)'', N''ABCD'', N''政务服务绿色通道'', N''APPROVAL,TAX,SCITECH,IIT,ORG'', 0, 1, CAST(1 AS bigint), 13, ''2026-01-01T00:00:00.0000000+08:00''),
    (N''HOUSING_SUBSIDY'', CAST(1 AS bit), N''Home purchase subsidy'', N''AB'', N''购房补贴'', N''HOUSING,FINANCE'', 1, 3, CAST(1 AS bigint), 9, ''2026-01-01T00:00:00.0000000+08:00''),
    (N''HUKOU_EXIT_ENTRY'', CAST(1 AS bit), N''Household registration and exit-entry documents'', N''ABCD'', N''落户与出入境证件便利'', N''PSB'', 0, 1, CAST(1 AS bigint), 14, ''2026-01-01T00:00:00.0000000+08:00''),
    (N''MEDICAL_GREEN_CHANNEL'', CAST(1 AS bit), N''Priority registration, consultation and admission'', N''ABCD'', N''就医绿色通道'', N''HOSP_PEOPLE,HOSP_TCM'', 0, 1, CAST(1 AS bigint), 1, ''2026-01-01T00:00:00.0000000+08:00''),
    (N''MEDICAL_INSURANCE_SERVICE'', CAST(1 AS bit), N''Priority medical-insurance services'', N''ABCD'', N''医保业务优先办理'', N''MEDINS'', 0, 1, CAST(1 AS bigint), 3, ''2026-01-01T00:00:00.0000000+08:00''),
    (N''RECUPERATION'', CAST(1 AS bit), N''Recuperation leave'', N''AB'', N''疗休养'', N''UNION'', 1, 2, CAST(1 AS bigint), 16, ''2026-01-01T00:00:00.0000000+08:00''),
    (N''SCENIC_SPOT_ENTRY'', CAST(1 AS bit), N''Free entry to A-grade scenic spots'', N''ABCD'', N''A级景区免费游览'', N''CULTOUR'', 12, 2, CAST(1 AS bigint), 11, ''2026-01-01T00:00:00.0000000+08:00''),
    (N''SPORTS_CULTURE_VENUES'', CAST(1 AS bit), N''Free or priority use of sports and cultural venues'', N''ABCD'', N''体育场馆、文化场馆免费或优先使用'', N''EDU,CULTOUR'', 0, 1, CAST(1 AS bigint), 12, ''2026-01-01T00:00:00.0000000+08:00''),
    (N''SPOUSE_EMPLOYMENT'', CAST(1 AS bit), N''Employment placement for the spouse'', N''AB'', N''配偶就业安置'', N''HRSS'', 1, 3, CAST(1 AS bigint), 6, ''2026-01-01T00:00:00.0000000+08:00''),
    (N''TALENT_APARTMENT'', CAST(1 AS bit), N''Talent apartment'', N''ABCD'', N''人才公寓'', N''HOUSING'', 1, 3, CAST(1 AS bigint), 8, ''2026-01-01T00:00:00.0000000+08:00''),
    (N''TALENT_LOAN'', CAST(1 AS bit), N''Talent loan financial services'', N''ABC'', N''人才贷金融服务'', N''FINREG'', 1, 2, CAST(1 AS bigint), 15, ''2026-01-01T00:00:00.0000000+08:00''),
    (N''TITLE_EVALUATION_FAST_TRACK'', CAST(1 AS bit), N''Fast track for professional title evaluation'', N''ABCD'', N''职称评审绿色通道'', N''HRSS'', 1, 2, CAST(1 AS bigint), 7, ''2026-01-01T00:00:00.0000000+08:00'')');
    IF EXISTS (SELECT * FROM [sys].[identity_columns] WHERE [name] IN (N'Code', N'Active', N'Description', N'EligibleTiers', N'Name', N'ProviderAgencyCodes', N'QuotaLimit', N'QuotaPeriod', N'Revision', N'SortOrder', N'UpdatedAt') AND [object_id] = OBJECT_ID(N'[Benefits]'))
        SET IDENTITY_INSERT [Benefits] OFF;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127190410_Initial'
)
BEGIN
    IF EXISTS (SELECT * FROM [sys].[identity_columns] WHERE [name] IN (N'Id', N'LastEventTime', N'LastSequence', N'UpdatedAt') AND [object_id] = OBJECT_ID(N'[CardFeedCursor]'))
        SET IDENTITY_INSERT [CardFeedCursor] ON;
    EXEC(N'INSERT INTO [CardFeedCursor] ([Id], [LastEventTime], [LastSequence], [UpdatedAt])
    VALUES (1, NULL, CAST(0 AS bigint), ''2026-01-01T00:00:00.0000000+00:00'')');
    IF EXISTS (SELECT * FROM [sys].[identity_columns] WHERE [name] IN (N'Id', N'LastEventTime', N'LastSequence', N'UpdatedAt') AND [object_id] = OBJECT_ID(N'[CardFeedCursor]'))
        SET IDENTITY_INSERT [CardFeedCursor] OFF;
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127190410_Initial'
)
BEGIN
    CREATE INDEX [IX_AuditRecords_Target] ON [AuditRecords] ([Target]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127190410_Initial'
)
BEGIN
    CREATE INDEX [IX_Redemptions_CardNumber_RedeemTimeUtc] ON [Redemptions] ([CardNumber], [RedeemTimeUtc]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127190410_Initial'
)
BEGIN
    CREATE INDEX [IX_Redemptions_CstYear_BenefitCode_AgencyCode] ON [Redemptions] ([CstYear], [BenefitCode], [AgencyCode]);
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127190410_Initial'
)
BEGIN
    INSERT INTO [__EFMigrationsHistory] ([MigrationId], [ProductVersion])
    VALUES (N'20261127190410_Initial', N'10.0.15');
END;

COMMIT;
GO

BEGIN TRANSACTION;
IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127212312_UsageFeed'
)
BEGIN
    CREATE TABLE [UsageChanges] (
        [Sequence] bigint NOT NULL,
        [CardNumber] nvarchar(16) NOT NULL,
        [BenefitCode] nvarchar(64) NOT NULL,
        [Period] nvarchar(16) NOT NULL,
        [Used] int NOT NULL,
        [OccurredAt] datetimeoffset NOT NULL,
        CONSTRAINT [PK_UsageChanges] PRIMARY KEY ([Sequence])
    );
END;

IF NOT EXISTS (
    SELECT * FROM [__EFMigrationsHistory]
    WHERE [MigrationId] = N'20261127212312_UsageFeed'
)
BEGIN
    INSERT INTO [__EFMigrationsHistory] ([MigrationId], [ProductVersion])
    VALUES (N'20261127212312_UsageFeed', N'10.0.15');
END;

COMMIT;
GO

